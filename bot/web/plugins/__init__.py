"""Datasette plugins of the desk: `nianbao browse` passes this folder as plugins_dir.

(This file only makes the folder a package, so it installs with the project; Datasette
loads it too and finds no hooks in it.)
"""
