#!/usr/bin/env bash
# Ringside audio benchmark: Ringside vs sox (and ffmpeg), interleaved runs, medians and peak RSS.
#   (a) 10-min 44.1 kHz stereo WAV -> 8 kHz .wav
#   (b) same -> .wav + .sln16 + .ulaw + .alaw  (sox needs four runs; Ringside does one pass)
#   (c) 320 kbit/s MP3 of it -> 8 kHz .wav     (this machine's sox has no MP3 handler:
#       its reference is `lame --decode | sox`, plus ffmpeg)
# Ringside runs with loudness normalisation ON (its default, the tools compared do none) and
# fsyncs its outputs (they do not). Usage: benches/audio.sh [runs]   (default 5)
set -euo pipefail
RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
RS=$CARGO_TARGET_DIR/release/ringside
W=$(mktemp -d /tmp/ringside-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
# Music-like content: two sweeps, a chord and some noise.
sox -n -r 44100 -c 2 -b 16 in.wav synth 600 sine 100-8000 sine 300-15000 pinknoise sine 440 \
    remix 1,2,3 2,3,4 vol 0.25
lame --quiet -b 320 in.wav in.mp3
mkdir -p o

timeit() { # label command... ; appends "seconds rss_kb" to $W/label.times
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$W/t.tmp" "$@" >/dev/null 2>&1
  cat "$W/t.tmp" >> "$W/$label.times"
}
sox_four() {
  sox in.wav -r 8000 -c 1 -b 16 o/s.wav
  sox in.wav -r 16000 -c 1 -b 16 -e signed -t raw o/s.sln16
  sox in.wav -r 8000 -c 1 -e u-law -t raw o/s.ulaw
  sox in.wav -r 8000 -c 1 -e a-law -t raw o/s.alaw
}
export -f sox_four

for i in $(seq "$RUNS"); do
  timeit a_sox      sox in.wav -r 8000 -c 1 -b 16 o/s.wav
  timeit a_ringside "$RS" transcode in.wav --out o --formats wav
  timeit a_ffmpeg   ffmpeg -nostdin -y -loglevel error -i in.wav -ar 8000 -ac 1 -c:a pcm_s16le o/f.wav
  timeit b_sox4     bash -c 'cd '"$W"' && sox_four'
  timeit b_ringside "$RS" transcode in.wav --out o --formats wav,sln16,ulaw,alaw
  timeit c_lamesox  bash -c "lame --quiet --decode $W/in.mp3 - | sox -t wav - -r 8000 -c 1 -b 16 $W/o/s.wav"
  timeit c_ffmpeg   ffmpeg -nostdin -y -loglevel error -i in.mp3 -ar 8000 -ac 1 -c:a pcm_s16le o/f.wav
  timeit c_ringside "$RS" transcode in.mp3 --out o --formats wav
done

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
stat() { # label -> "median_wall_s max_rss_kb median_cpu_s"
  local m r c
  m=$(cut -d' ' -f1 "$W/$1.times" | median)
  r=$(cut -d' ' -f2 "$W/$1.times" | sort -n | tail -1)
  c=$(awk '{print $3 + $4}' "$W/$1.times" | median)
  echo "$m $r $c"
}
printf '%-12s %10s %12s %14s\n' case wall_s peak_rss_KiB cpu_user+sys_s
for l in a_sox a_ffmpeg a_ringside b_sox4 b_ringside c_lamesox c_ffmpeg c_ringside; do
  read -r m r c < <(stat $l); printf '%-12s %10s %12s %14s\n' "$l" "$m" "$r" "$c"
done
ratio() { awk -v x="$(stat "$1" | cut -d' ' -f1)" -v y="$(stat "$2" | cut -d' ' -f1)" 'BEGIN {printf "%.2f", x / y}'; }
echo "(a) ringside / sox            = $(ratio a_ringside a_sox)   (target <= 0.5)"
echo "(b) ringside 4 fmts / sox (a) = $(ratio b_ringside a_sox)   (target <= 1.0); vs sox's 4 runs: $(ratio b_ringside b_sox4)"
echo "(c) ringside mp3 / lame|sox   = $(ratio c_ringside c_lamesox); / ffmpeg = $(ratio c_ringside c_ffmpeg)"

# Peak RSS on a 60-minute input (one run).
sox in.wav in.wav in.wav in.wav in.wav in.wav in60.wav
/usr/bin/time -f "%e %M" -o t60 "$RS" transcode in60.wav --out o --formats wav,wav16,sln16,ulaw,alaw >/dev/null
echo "60-min input, all five formats: $(cut -d' ' -f1 t60) s, peak RSS $(cut -d' ' -f2 t60) KiB (target <= 16384)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
