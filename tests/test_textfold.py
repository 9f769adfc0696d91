"""Accent- and case-insensitive search: the Python fold and its SQL twin agree."""

from __future__ import annotations

from sqlalchemy import literal, select

from summit.extensions import db
from summit.textfold import FOLD_FROM, FOLD_TO, fold, folded, like_pattern


def test_fold_drops_accents_and_case():
    assert fold("Côté") == "cote"
    assert fold("BÉLANGER") == "belanger"
    assert fold("Jean-François Lévesque") == "jean-francois levesque"
    assert fold("Øyvind Łukasz Đorđević") == "oyvind lukasz dordevic"
    assert fold("O’Brien") == "o'brien"
    assert fold("山田 太郎") == "山田 太郎"  # other scripts pass through
    assert fold(None) is None
    assert len(FOLD_FROM) == len(FOLD_TO)  # translate() maps one character to one


def test_like_pattern_escapes_wildcards():
    assert like_pattern("Çé_%\\") == "%ce\\_\\%\\\\%"


def test_the_database_folds_like_python(app):
    """The SQL (SQLite's registered function, PostgreSQL's translate) gives the same text."""
    samples = ["Côté", "BÉLANGER", "Øyvind Łukasz Đorđević", "O’Brien", "Zoë", "ÅSA Müller",
               "İlkay Şahin", "山田", "plain ascii"]
    for text in samples:
        assert db.session.scalar(select(folded(literal(text)))) == fold(text), text
