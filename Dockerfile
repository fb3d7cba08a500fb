# Strategic Sites Atlas: the dashboard in a container.
#   docker build -t strategic-sites-atlas .
#   docker run -p 8501:8501 strategic-sites-atlas          (or -e PORT=8080 -p 8080:8080)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app

# Dependencies first, pinned, so that a data or code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The app: entry point, pages, code, settings, the map's JS/CSS and the data (read-only).
COPY app.py ./
COPY serve.py ./
COPY app_pages ./app_pages
COPY src ./src
COPY .streamlit ./.streamlit
COPY static ./static
COPY geodata ./geodata
# Every link to static/ carries a hash of the file, so a name always means the same bytes; dated
# long ago, the files are kept by browsers (Streamlit sends no Cache-Control for app/static/,
# and a browser keeps a file for a tenth of its age since Last-Modified).
RUN find static -type f -exec touch -d @946684800 {} +

# The one folder the app writes: the map's data files (static/generated/), made at run time.
RUN useradd --create-home --uid 10001 atlas && mkdir -p static/generated && chown atlas static/generated
USER atlas

EXPOSE 8501
# Behind a proxy path, set STREAMLIT_SERVER_BASE_URL_PATH (e.g. atlas): Streamlit reads it as
# server.baseUrlPath, and the health check follows it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; base = os.environ.get('STREAMLIT_SERVER_BASE_URL_PATH', '').strip('/'); urllib.request.urlopen('http://127.0.0.1:%s/%s_stcore/health' % (os.environ.get('PORT', '8501'), base + '/' if base else ''), timeout=4)"]

CMD ["sh", "-c", "exec python -m streamlit run serve.py --server.address 0.0.0.0 --server.port ${PORT:-8501} --server.headless true"]
