"""The About text (ui/about.md) with the figures of the data it describes."""

from __future__ import annotations

import re

from strategic_sites.view import language
from strategic_sites.ui.pages_text import about_text


def test_about_gives_the_figures_of_the_data_shown(mini):
    text = about_text(mini)
    assert "**In the data now:** 3 sites in Kazakhstan, Kyrgyzstan, Russia; 6 control periods,\n" in text
    assert "3 lease agreements, " in text
    assert "4 events from 2003 to 2013,\n1 drawn area, and 3 sources." in text
    assert "(the kinds recorded are agreement, launch, accident," in text
    assert not re.search(r"[{}]", text)  # every field filled in


def test_about_names_the_host_countries_in_the_chosen_language(mini):
    assert "3 sites in Казахстан, Киргизия, Россия;" in about_text(language.localise(mini, "ru"))


def test_about_keeps_the_sections_a_reader_looks_for(atlas):
    text = about_text(atlas)
    for heading in ("What it does not cover", "How facts are sourced", "Licences and credits", "How to contribute"):
        assert f"#### {heading}" in text
    assert f"{atlas.counts['sites']} sites in " in text
