"""Offline translation both ways: Argos Translate model packages, our own sentence splitter,
language detection restricted to the installed languages, a do-not-translate glossary and
an optional, local translation history.

Importing this package is cheap: the engine (CTranslate2, Argos) loads only in
:class:`assistant.translation.service.TranslationService` ``start()``, on the worker thread.
"""
