"""MIDI to mastered audio: the public names of :mod:`composer.audio`, where they always were.

The engine is the package :mod:`composer.audio`, a module per job (timeline,
synth, parallel rendering, tape, overdub, mastering, files); see its
docstring. ``fluidsynth`` is imported only when rendering, so composing MIDI
stays light.
"""

from __future__ import annotations

from .audio.overdub import Overdub
from .audio.parallel import TAIL_SECONDS
from .audio.render import RenderReport, midi_to_audio, render_file
from .audio.timeline import MAX_MIDI_BYTES, MAX_MIDI_NOTES, MAX_MIDI_SECONDS, midi_title
from .effects import Effects
from .soundfonts import resolve_soundfont

__all__ = ["Effects", "Overdub", "RenderReport", "midi_to_audio", "midi_title", "render_file", "resolve_soundfont",
           "TAIL_SECONDS", "MAX_MIDI_SECONDS", "MAX_MIDI_NOTES", "MAX_MIDI_BYTES"]
