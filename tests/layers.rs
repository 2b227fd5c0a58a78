//! The crate's layers (ARCHITECTURE.md, "Layers"): every `crate::` path in a module's code points
//! to its own folder or to a folder on a lower layer, and no two modules import each other,
//! directly or around a loop. Comments and test modules are not counted (by convention a file's
//! test module is its last item: everything after its first `#[cfg(test)]` is skipped).

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Folder (or root module) → layer. Folders on the same layer must not import each other.
const LAYERS: &[(&str, u8)] = &[
    ("web", 1),
    ("pattern", 1),
    ("host", 2),
    ("token", 3),
    ("decide", 4),
    ("gateway", 5),
    ("downstream", 5),
    ("cloudflare", 6),
    ("next", 6),
    // The wasm-bindgen binding marshals the Next adapter's decisions.
    ("js_api", 7),
];

fn layer(top: &str) -> Option<u8> {
    LAYERS.iter().find(|(n, _)| *n == top).map(|(_, l)| *l)
}

/// `src/decide/flow.rs` → `decide/flow`; `src/pattern/mod.rs` → `pattern`.
fn module_of(rel: &str) -> String {
    let m = rel.trim_end_matches(".rs");
    m.strip_suffix("/mod").unwrap_or(m).to_string()
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            if p.file_name().unwrap() != "bin" {
                collect(&p, root, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((module_of(&rel), fs::read_to_string(&p).unwrap()));
        }
    }
}

/// The code of a file without comments and test modules.
fn code(src: &str) -> String {
    let body = src.split("#[cfg(test)]").next().unwrap_or("");
    body.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module a file names through `crate::a::b::…` (the longest prefix that is a module),
/// including the items of `use crate::{a, b::c}` groups.
fn imports(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                paths.push(item.trim().to_string());
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            paths.push(rest[..end].to_string());
        }
    }
    let mut found = BTreeSet::new();
    for p in paths {
        let parts: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
        for k in (1..=parts.len()).rev() {
            let candidate = parts[..k].join("/");
            if modules.contains(&candidate) {
                found.insert(candidate);
                break;
            }
        }
    }
    found
}

#[test]
fn imports_only_point_down_and_never_loop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (module, src) in &files {
        let top = module.split('/').next().unwrap();
        if module == "lib" {
            continue; // the crate root re-exports the public API from every layer
        }
        let own = layer(top).unwrap_or_else(|| panic!("{module}: folder not in LAYERS"));
        let mut deps = imports(&code(src), &modules);
        deps.remove(module);
        for d in &deps {
            let dtop = d.split('/').next().unwrap();
            if dtop == top {
                continue;
            }
            match layer(dtop) {
                Some(l) if l < own => {}
                _ => wrong.push(format!("{module} (layer {own}) imports {d}")),
            }
        }
        graph.insert(module.clone(), deps);
    }
    assert!(
        wrong.is_empty(),
        "imports that do not point down:\n{}",
        wrong.join("\n")
    );

    // No cycle, inside a folder either: depth-first search for a back edge.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            match state.get(d.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|s| s == d).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(d.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(d, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        if !state.contains_key(m.as_str()) {
            if let Some(c) = visit(m, &graph, &mut state, &mut Vec::new()) {
                panic!("import cycle: {}", c.join(" → "));
            }
        }
    }
}
