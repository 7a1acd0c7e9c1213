"""Plug-ins of the bundled theories (hachimi/plugins/<theory>/): the code a pack needs that cannot be
data. Packs name them in their files; generic code loads them through hachimi/loader.py and never
imports this package by name."""
