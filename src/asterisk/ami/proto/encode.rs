//! Action encoding. Refuses any key or value that could break the framing before a byte is sent.
//!
//! Must not send anything itself; it only builds the bytes.

/// Why an action could not be encoded. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("field key {key:?} is empty or has characters other than letters, digits, '-' or '_'")]
    BadKey { key: String },
    #[error("value of {key} contains a control character (CR, LF, tab or other) at byte {position}")]
    ControlCharacter { key: String, position: usize },
}

/// An AMI action to send: `Action: <name>` first, then `ActionID`, then the fields in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    name: String,
    fields: Vec<(String, String)>,
}

impl Action {
    /// A new action named `name` (e.g. `Login`, `Command`, `Reload`, `Ping`).
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), fields: Vec::new() }
    }

    /// Adds one `key: value` line (builder style).
    pub fn field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((key.into(), value.into()));
        self
    }

    /// The action name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Encodes the action with `action_id`, checking every key and value first.
    pub fn encode(&self, action_id: &str) -> Result<Vec<u8>, EncodeError> {
        check_value("Action", &self.name)?;
        check_value("ActionID", action_id)?;
        for (key, value) in &self.fields {
            check_key(key)?;
            check_value(key, value)?;
        }
        let mut out = Vec::with_capacity(64 + self.fields.len() * 32);
        push_line(&mut out, "Action", &self.name);
        push_line(&mut out, "ActionID", action_id);
        for (key, value) in &self.fields {
            push_line(&mut out, key, value);
        }
        out.extend_from_slice(b"\r\n");
        Ok(out)
    }
}

fn push_line(out: &mut Vec<u8>, key: &str, value: &str) {
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn check_key(key: &str) -> Result<(), EncodeError> {
    let ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(EncodeError::BadKey { key: key.escape_debug().to_string() }) }
}

/// Any C0 control, DEL, or Unicode line/paragraph separators: Asterisk splits lines on CR or LF,
/// and the others have no business in a manager value.
fn check_value(key: &str, value: &str) -> Result<(), EncodeError> {
    let bad = value.char_indices().find(|&(_, c)| c.is_control() || c == '\u{2028}' || c == '\u{2029}');
    match bad {
        None => Ok(()),
        Some((position, _)) => {
            Err(EncodeError::ControlCharacter { key: key.escape_debug().to_string(), position })
        }
    }
}
