"""Stand-in for torchaudio in the AutoTrainess managed environment.

Why it exists: LlamaFactory 0.9.5 imports torchaudio at start-up (llamafactory/data/mm_plugin.py) although only
audio datasets use it. The torchaudio (and torchvision) wheels that pip resolves from PyPI are built against a CUDA
torch and crash at import next to the CPU torch build, so PythonEnvironment uninstalls both and puts this folder's
parent on sys.path through a `.pth` file. `.pth` folders are appended after site-packages, so a real torchaudio
installed later wins over this stub. Text training never touches the names below; audio data fails with a clear
message instead of an import crash.
"""

_MESSAGE = (
    "torchaudio is not installed in the AutoTrainess environment (its PyPI build crashes next to the CPU torch). "
    "Audio datasets need a torchaudio build that matches the installed torch: pip install it into the venv."
)


def load(*args, **kwargs):
    """Raises: audio loading needs the real torchaudio."""
    raise RuntimeError(_MESSAGE)


class _Unavailable:
    def __getattr__(self, name):
        raise RuntimeError(_MESSAGE)


functional = _Unavailable()
transforms = _Unavailable()
