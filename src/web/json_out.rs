//! A minimal JSON writer for the per-request answers handed to JavaScript. serde's derive
//! writes a request state byte by byte through generic writers; this writes whole runs of
//! text, which matters on the signed-out and cached paths where writing the answer is a large
//! share of the work. Output is plain JSON that `JSON.parse` reads as serde_json's would.

use serde_json::{Map, Value};
use std::fmt::Write as _;

/// An object or array being written; commas are inserted between members.
pub struct JsonOut {
    buf: String,
    /// Whether the innermost open object/array already has a member.
    first: Vec<bool>,
}

impl JsonOut {
    pub fn with_capacity(n: usize) -> Self {
        JsonOut {
            buf: String::with_capacity(n),
            first: Vec::with_capacity(4),
        }
    }

    pub fn finish(self) -> String {
        self.buf
    }

    fn sep(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !*first {
                self.buf.push(',');
            }
            *first = false;
        }
    }

    pub fn begin_object(&mut self) {
        self.sep();
        self.buf.push('{');
        self.first.push(true);
    }
    pub fn end_object(&mut self) {
        self.buf.push('}');
        self.first.pop();
    }
    pub fn begin_array(&mut self) {
        self.sep();
        self.buf.push('[');
        self.first.push(true);
    }
    pub fn end_array(&mut self) {
        self.buf.push(']');
        self.first.pop();
    }

    /// Starts an object member named by a literal that needs no escaping; the value written
    /// next belongs to it.
    pub fn key(&mut self, k: &'static str) {
        debug_assert!(!k.contains(['"', '\\']) && !k.contains(|c: char| c < ' '));
        self.sep();
        self.buf.push('"');
        self.buf.push_str(k);
        self.buf.push_str("\":");
        self.value_follows();
    }

    /// Starts an object member with any name.
    pub fn key_escaped(&mut self, k: &str) {
        self.sep();
        push_escaped(&mut self.buf, k);
        self.buf.push(':');
        self.value_follows();
    }

    fn value_follows(&mut self) {
        // The value that follows must not write a comma of its own.
        if let Some(first) = self.first.last_mut() {
            *first = true;
        }
    }

    pub fn str(&mut self, s: &str) {
        self.sep();
        push_escaped(&mut self.buf, s);
    }
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }
    pub fn null(&mut self) {
        self.sep();
        self.buf.push_str("null");
    }
    pub fn uint(&mut self, n: u64) {
        self.sep();
        let _ = write!(self.buf, "{n}");
    }
    pub fn bool(&mut self, b: bool) {
        self.sep();
        self.buf.push_str(if b { "true" } else { "false" });
    }

    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => {
                self.sep();
                let _ = write!(self.buf, "{n}");
            }
            Value::String(s) => self.str(s),
            Value::Array(items) => {
                self.begin_array();
                for item in items {
                    self.value(item);
                }
                self.end_array();
            }
            Value::Object(m) => self.object(m),
        }
    }

    pub fn object(&mut self, m: &Map<String, Value>) {
        self.begin_object();
        for (k, v) in m {
            self.key_escaped(k);
            self.value(v);
        }
        self.end_object();
    }
}

/// A JSON string literal: runs without escapes are copied whole.
fn push_escaped(buf: &mut String, s: &str) {
    buf.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        buf.push_str(s.get(start..i).unwrap_or(""));
        if esc.is_empty() {
            let _ = write!(buf, "\\u{b:04x}");
        } else {
            buf.push_str(esc);
        }
        start = i + 1;
    }
    buf.push_str(s.get(start..).unwrap_or(""));
    buf.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_back_as_serde_json_writes_them() {
        let v = json!({
            "s": "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f} é 😀 </script>",
            "n": [0, -1, 1.5, 1e300, 18446744073709551615u64, -9007199254740993i64],
            "o": {"nested": [null, true, false, {}, []]},
            "": ""
        });
        let mut out = JsonOut::with_capacity(0);
        out.value(&v);
        let text = out.finish();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
        assert_eq!(text, serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn members_and_elements_are_separated() {
        let mut out = JsonOut::with_capacity(0);
        out.begin_object();
        out.key("a");
        out.begin_array();
        out.str("x");
        out.opt_str(None);
        out.end_array();
        out.key("b");
        out.bool(true);
        out.end_object();
        assert_eq!(out.finish(), r#"{"a":["x",null],"b":true}"#);
    }
}
