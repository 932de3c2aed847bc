#!/usr/bin/env bash
# Installs the system packages that Virta's build, demo and tests need, only when missing.
# Safe to run repeatedly; a no-op on a machine that already has everything.
set -euo pipefail

# Debian package -> a file that proves it is installed (a glob, so multiarch library paths match).
declare -A PROBES=(
  [python3-numpy]=/usr/lib/python3/dist-packages/numpy/__init__.py
  [python3-pytest]=/usr/lib/python3/dist-packages/pytest/__init__.py
  [gcc]=/usr/bin/gcc
  # Network tests: namespaces and veth pairs (ip), and tc with an eBPF classifier compiled by llc for packet loss.
  [iproute2]=/sbin/tc
  [llvm]=/usr/bin/llc
  [make]=/usr/bin/make
  [maven]=/usr/bin/mvn
  [ffmpeg]=/usr/bin/ffmpeg
  # The producer's RTSP tests run against GStreamer's gst-rtsp-server (testkit/peers/rtsp_server.py,
  # run with Debian's python3, the only one that can import gi) and use gst-launch-1.0 as a second client.
  [gstreamer1.0-tools]=/usr/bin/gst-launch-1.0
  # The producer's browser live view tests drive Debian's headless Chromium through chromedriver.
  [chromium]=/usr/bin/chromium
  [chromium-driver]=/usr/bin/chromedriver
  [gstreamer1.0-plugins-base]=/usr/lib/*/gstreamer-1.0/libgstapp.so
  [gstreamer1.0-plugins-good]=/usr/lib/*/gstreamer-1.0/libgstrtp.so
  [gstreamer1.0-plugins-bad]=/usr/lib/*/gstreamer-1.0/libgstvideoparsersbad.so
  [gstreamer1.0-plugins-ugly]=/usr/lib/*/gstreamer-1.0/libgstx264.so
  [gstreamer1.0-libav]=/usr/lib/*/gstreamer-1.0/libgstlibav.so
  [gstreamer1.0-rtsp]=/usr/lib/*/gstreamer-1.0/libgstrtspclientsink.so
  [gir1.2-gst-rtsp-server-1.0]=/usr/lib/*/girepository-1.0/GstRtspServer-1.0.typelib
  [python3-gi]=/usr/lib/python3/dist-packages/gi/__init__.py
  # Recording exports are checked by parsers that share no code with Virta: mkvtoolnix (mkvmerge -J,
  # mkvinfo) and mediainfo, beside ffprobe and GStreamer's qtdemux/matroskademux.
  [mkvtoolnix]=/usr/bin/mkvmerge
  [mediainfo]=/usr/bin/mediainfo
  # Python workers and the Python event/control clients (python-client/): gRPC, protobuf, OpenCV,
  # and the compilers of their stubs (python-client/scripts/gen_protos.sh needs protoc 3.21, Debian 12's).
  [python3-grpcio]=/usr/lib/python3/dist-packages/grpc/__init__.py
  [python3-protobuf]=/usr/lib/python3/dist-packages/google/protobuf/__init__.py
  [python3-opencv]=/usr/lib/python3/dist-packages/cv2*.so
  [protobuf-compiler]=/usr/bin/protoc
  [protobuf-compiler-grpc]=/usr/bin/grpc_python_plugin
  # The GL viewer's tests and benchmarks: an X server with Mesa's software OpenGL (llvmpipe), glxinfo,
  # xdotool to press keys and click in its windows, and the font its labels are drawn with.
  [xvfb]=/usr/bin/Xvfb
  [libgl1-mesa-dri]=/usr/lib/*/dri/swrast_dri.so
  [mesa-utils]=/usr/bin/glxinfo
  [xdotool]=/usr/bin/xdotool
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf
)

missing=()
for pkg in "${!PROBES[@]}"; do
  compgen -G "${PROBES[$pkg]}" >/dev/null || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! ls -d /usr/lib/jvm/*25* >/dev/null 2>&1 && [[ -z "${JAVA_HOME:-}" ]]; then
  echo "install-deps: no JDK 25 found under /usr/lib/jvm; installing openjdk-25 is not possible from Debian 12." >&2
  echo "install-deps: set JAVA_HOME to a JDK 25 (Temurin 25 is the supported one)." >&2
  exit 1
fi
