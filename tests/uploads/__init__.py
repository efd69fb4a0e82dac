"""Crafted upload files for the tests: a few valid samples and a generated corpus of bad ones."""
