"""veche's offline recogniser: faster-whisper with the Whisper base model.

veche starts this script once (from the venv `veche speech install` made)
and keeps it running. It reads one JSON request per line on stdin and
answers one JSON line on stdout, in order:

    {"id": 1, "path": "/…/x.webm", "language": "ru", "max_seconds": 120}
    {"id": 1, "text": "…", "duration": 4.2, "seconds": 1.7}
    {"id": 1, "error": "too_long", "duration": 300.0}

The audio never leaves the machine: the model is read from MODEL_DIR, and
nothing is downloaded (HF_HUB_OFFLINE is set by veche too).
"""

import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from faster_whisper import WhisperModel  # noqa: E402
from faster_whisper.audio import decode_audio  # noqa: E402

MODEL_DIR = sys.argv[1]
THREADS = int(os.environ.get("VECHE_SPEECH_THREADS", "0")) or (os.cpu_count() or 1)
model = WhisperModel(MODEL_DIR, device="cpu", compute_type="int8", cpu_threads=THREADS)
SAMPLE_RATE = 16000

print(json.dumps({"ready": True}), flush=True)

for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        print(json.dumps({"id": None, "error": "bad_request"}), flush=True)
        continue
    rid = req.get("id")
    started = time.monotonic()
    try:
        audio = decode_audio(req["path"], sampling_rate=SAMPLE_RATE)
        duration = len(audio) / SAMPLE_RATE
        if duration > float(req.get("max_seconds", 120)):
            print(json.dumps({"id": rid, "error": "too_long", "duration": duration}), flush=True)
            continue
        segments, _info = model.transcribe(
            audio,
            language=req.get("language") or None,
            beam_size=1,
            # One pass: no retries at higher temperatures, which on a
            # garbled recording multiply the time and rarely help.
            temperature=0.0,
            vad_filter=False,
            condition_on_previous_text=False,
        )
        text = " ".join(s.text.strip() for s in segments).strip()
        answer = {
            "id": rid,
            "text": text,
            "duration": duration,
            "seconds": time.monotonic() - started,
        }
    except Exception as e:  # a damaged file must not end the process
        answer = {"id": rid, "error": "failed", "detail": type(e).__name__}
    print(json.dumps(answer, ensure_ascii=False), flush=True)
