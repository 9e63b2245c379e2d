"""Run a student's exercise file in a child process, with a time limit, a memory limit and an output limit.

The grader never imports a student's file into its own process. It writes the
cases to a job folder, starts a child (a fork of itself where the system has
``fork``, else a fresh ``python -m minicompress.exercises.sandbox JOB``), and
the child imports the file, calls the student's function on each case and
writes back only the *values* it returned, as JSON. The parent computes the
expected values itself and decides pass or fail, so nothing the child does
can turn into a pass: patching the reference or ``np.allclose`` patches the
child's copy only, and a child that ends early, with any status, has
returned nothing and fails.

What this protects against: accidents. An endless loop (the time limit),
a runaway allocation (the memory limit), megabytes of prints (the output
limit), ``sys.exit``/``os._exit`` at import, a syntax error, a monkey-patched
reference. What it does not protect against: a deliberately hostile program.
The child runs as the same user with the same files; it could, say, delete
them. Run code you do not trust only in a container or under a separate
account.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Limits:
    """What one student file may use: seconds of wall time, bytes of new memory, bytes of printed output."""

    seconds: float = 5.0
    memory: int = 1 << 30
    output: int = 1 << 20

    def __post_init__(self):
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise ValueError(f"the grading time limit must be a positive number of seconds, got {self.seconds}")
        if self.memory < 1 << 26 or self.output < 1024:
            raise ValueError("the memory limit must be at least 64 MiB and the output limit at least 1 KiB, "
                             f"got {self.memory} and {self.output} bytes")


def default_limits() -> Limits:
    """Limits, with the time limit from ``MINICOMPRESS_GRADE_TIMEOUT`` (seconds) when it is set."""
    raw = os.environ.get("MINICOMPRESS_GRADE_TIMEOUT")
    if raw is None:
        return Limits()
    try:
        return Limits(seconds=float(raw))
    except ValueError:
        raise SystemExit(f"MINICOMPRESS_GRADE_TIMEOUT must be a positive number of seconds, got {raw!r}") from None


@dataclass
class Run:
    """What came back from the child: per case ("value", x) / ("todo", msg) / ("error", msg, line, text),
    or a ``failure`` that sank the whole file (import error, time out, early exit, ...)."""

    outcomes: list = field(default_factory=list)
    failure: str = ""
    printed: str = ""
    called: list = field(default_factory=list)   # minicompress's own answers the student's file called


def _watch_answers(refs: list, path: str, called: set) -> None:
    """Replace each reference function (``"module:function"``) by a twin that notes calls from the student's file.

    Every loaded minicompress module that holds the function (its own module
    and the packages re-exporting it) gets the twin, before the student's file
    is imported, so ``from minicompress.distill import kd_loss`` finds it too.
    Only calls made directly from the student's file count: a helper of
    minicompress's that uses the function internally is not the student's doing.
    """
    import functools
    import importlib
    for ref in refs:
        module_name, name = ref.split(":")
        if "." in name:                                # a method (Tensor.__mul__): not a function to call
            continue
        parts = module_name.split(".")
        for i in range(1, len(parts) + 1):             # the module and every package above it
            importlib.import_module(".".join(parts[:i]))
        original = getattr(sys.modules[module_name], name)

        @functools.wraps(original)
        def twin(*args, _original=original, _name=f"{module_name}.{name}", **kwargs):
            if sys._getframe(1).f_code.co_filename == path:     # the student's file imported from this path
                called.add(_name)
            return _original(*args, **kwargs)
        for mod in list(sys.modules.values()):
            if getattr(mod, "__name__", "").startswith("minicompress") and getattr(mod, name, None) is original:
                setattr(mod, name, twin)


# --- the child's side -----------------------------------------------------------------------------------------

RESULT, OUTPUT, JOB = "result.json", "output.txt", "job.pkl"


def _student_line(exc: BaseException, path: str) -> tuple:
    """(line number, source text) of the deepest frame of the traceback inside the student's file."""
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename).resolve() == Path(path).resolve():
        return exc.lineno or 0, (exc.text or "").strip()
    found = (0, "")
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == Path(path).resolve():
            found = (frame.lineno or 0, (frame.line or "").strip())
    return found


def _describe(exc: BaseException, limits: Limits) -> str:
    import errno
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return f"printed more than {limits.output // 1024} KiB (the output limit) and was stopped"
    if isinstance(exc, MemoryError):
        return f"MemoryError: asked for more than the {limits.memory >> 20} MiB a file may use"
    return f"{type(exc).__name__}: {exc}"


def _encode(x):
    """A returned value as JSON: tuples element by element, everything else as a numeric array."""
    if isinstance(x, tuple):
        return {"tuple": [_encode(v) for v in x]}
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"returned {type(x).__name__} with dtype {arr.dtype}, expected numbers or arrays of numbers")
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.ravel().tolist()}


def _limit_resources(limits: Limits) -> None:
    """In the child: cap new memory, CPU seconds and the size of every file it writes (its prints)."""
    try:
        import resource
    except ImportError:                                # Windows: only the time limit applies
        return
    try:
        with open("/proc/self/statm") as f:            # Linux: leave room for what is already mapped
            in_use = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (in_use + limits.memory, in_use + limits.memory))
    except (OSError, ValueError):
        pass
    cpu = int(limits.seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output, limits.output))


def child_main(job_dir: str) -> None:
    """Import the student's file, run every case, write result.json; never returns normally."""
    job_dir = Path(job_dir)
    with open(job_dir / JOB, "rb") as f:                # written by the parent: trusted
        job = pickle.load(f)
    out = os.open(job_dir / OUTPUT, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)
    _limit_resources(job["limits"])
    result = {"outcomes": []}
    try:
        import importlib.util

        from .catalog import by_slug, caller
        call = caller(by_slug(job["slug"]))
        path = job["path"]
        called = set()
        _watch_answers(by_slug(job["slug"]).refs, path, called)
        spec = importlib.util.spec_from_file_location(f"student_{Path(path).stem}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:                  # SystemExit and KeyboardInterrupt too
            line, text = _student_line(exc, path)
            result["import_error"] = [_describe(exc, job["limits"]), line, text]
            raise _Done from None
        for args in job["cases"]:
            try:
                value = call(module, args)
                result["outcomes"].append(["value", _encode(value)])
            except NotImplementedError as exc:
                result["outcomes"].append(["todo", str(exc)])
            except BaseException as exc:
                line, text = _student_line(exc, path)
                result["outcomes"].append(["error", _describe(exc, job["limits"]), line, text])
        result["called"] = sorted(called)
    except _Done:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:                               # past the output limit: what was printed is cut
            pass
    tmp = job_dir / (RESULT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(tmp, job_dir / RESULT)                 # all or nothing: a half-written result is no result
    os._exit(0)


class _Done(Exception):
    pass


# --- the parent's side ----------------------------------------------------------------------------------------

def _decode(obj, depth: int = 0):
    """A value from the child's JSON, checked: numeric dtype, consistent shape, bounded size."""
    if depth > 8 or not isinstance(obj, dict):
        raise ValueError("malformed value")
    if "tuple" in obj:
        if not isinstance(obj["tuple"], list) or len(obj["tuple"]) > 64:
            raise ValueError("malformed tuple")
        return tuple(_decode(v, depth + 1) for v in obj["tuple"])
    dtype = np.dtype(obj["dtype"])
    shape = tuple(int(s) for s in obj["shape"])
    if dtype.kind not in "biuf" or any(s < 0 for s in shape) or len(shape) > 8:
        raise ValueError("malformed array")
    data = obj["data"]
    if not isinstance(data, list) or len(data) != math.prod(shape) or len(data) > 10_000_000:
        raise ValueError("array data does not match its shape")
    return np.array(data, dtype=dtype).reshape(shape)


def _read_text(path: Path, limit: int) -> str:
    if not path.exists():
        return ""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    text = data[:limit].decode("utf-8", errors="replace")
    return text + ("\n[... more output cut]" if len(data) > limit else "")


def _start(job_dir: Path) -> tuple:
    """Start the child: a fork where there is one (fast: the imports are done), else a new interpreter."""
    if hasattr(os, "fork") and sys.platform.startswith("linux"):
        sys.stdout.flush()
        sys.stderr.flush()
        import warnings
        with warnings.catch_warnings():
            # subtle: Python 3.12+ warns that forking a process with threads (OpenBLAS's) may
            # deadlock the child. The child here only runs the student's NumPy code, and OpenBLAS
            # re-initialises its pool after a fork; the time limit catches any hang regardless.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:                                    # the child
            try:
                child_main(str(job_dir))
            finally:
                os._exit(70)                            # child_main never returns; a crash in it ends here
        return pid, None
    proc = subprocess.Popen([sys.executable, "-m", "minicompress.exercises.sandbox", str(job_dir)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.pid, proc


def _wait(pid: int, proc, seconds: float) -> tuple:
    """(finished?, exit status or −signal) after at most ``seconds``; a child still running is killed."""
    deadline = time.monotonic() + seconds
    while True:
        if proc is not None:
            code = proc.poll()
            if code is not None:
                return True, code
        else:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return True, (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))
        if time.monotonic() > deadline:
            break
        time.sleep(0.002)
    try:
        os.kill(pid, signal.SIGKILL)
    except (OSError, AttributeError):
        proc.kill()
    if proc is not None:
        proc.wait()
    else:
        os.waitpid(pid, 0)
    return False, None


def run_student(path, slug: str, cases: list, limits: Limits | None = None) -> Run:
    """Run the student's ``path`` on each case's arguments in a child process; what came back."""
    limits = limits or default_limits()
    with tempfile.TemporaryDirectory(prefix="minicompress-grade-") as tmp:
        job_dir = Path(tmp)
        with open(job_dir / JOB, "wb") as f:
            pickle.dump({"slug": slug, "path": str(Path(path).resolve()), "cases": cases, "limits": limits}, f)
        pid, proc = _start(job_dir)
        finished, status = _wait(pid, proc, limits.seconds)
        printed = _read_text(job_dir / OUTPUT, 4000)
        if not finished:
            return Run(failure=f"did not finish within {limits.seconds:g} s and was stopped: an endless loop, "
                               "or work far too slow? (MINICOMPRESS_GRADE_TIMEOUT or --timeout sets the limit)",
                       printed=printed)
        result_path = job_dir / RESULT
        if not result_path.exists():
            return Run(failure=_why_no_result(status, limits), printed=printed)
        try:
            if result_path.stat().st_size > 64 << 20:
                raise ValueError("result too large")
            raw = json.loads(result_path.read_text(encoding="utf-8"))
            if "import_error" in raw:
                msg, line, text = raw["import_error"]
                where = f" at line {int(line)}: {str(text)[:200]}" if line else ""
                return Run(failure=f"the file could not be imported{where}\n      {str(msg)[:500]}", printed=printed)
            outcomes = []
            for item in raw["outcomes"]:
                kind = item[0]
                if kind == "value":
                    outcomes.append(("value", _decode(item[1])))
                elif kind == "todo":
                    outcomes.append(("todo", str(item[1])[:500]))
                elif kind == "error":
                    outcomes.append(("error", str(item[1])[:500], int(item[2]), str(item[3])[:200]))
                else:
                    raise ValueError(f"unknown outcome {kind!r}")
            if len(outcomes) != len(cases):
                raise ValueError("wrong number of outcomes")
            called = [str(x)[:200] for x in raw.get("called", [])][:20]
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            return Run(failure=f"the grader could not read what the student's code returned ({exc})", printed=printed)
        return Run(outcomes, printed=printed, called=called)


def _why_no_result(status, limits: Limits) -> str:
    if status is not None and status < 0:
        sig = -status
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        if sig == getattr(signal, "SIGXFSZ", None):
            return f"printed more than {limits.output // 1024} KiB and was stopped"
        if sig == getattr(signal, "SIGXCPU", None):
            return f"used more than {int(limits.seconds) + 2} s of CPU and was stopped"
        return f"the process was killed by {name} (out of memory, or a crash in native code?)"
    return (f"the process ended (exit status {status}) before returning any result: does the file call "
            "sys.exit, os._exit or exit() when it is imported or run?")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m minicompress.exercises.sandbox JOB_DIR (the grader starts this itself)")
    child_main(sys.argv[1])
