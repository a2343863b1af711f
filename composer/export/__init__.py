"""Exporters: each turns a :class:`~composer.song.Song` into one file format."""
