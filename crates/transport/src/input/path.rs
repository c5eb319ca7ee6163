//! Where an input member goes wrong: the `Path` to it, built on the stack while reading and
//! rendered only when an `InputError` is reported.

use crate::doc::Doc;
use std::fmt;

/// An input member that cannot be sent: where (`messages[0].content[1].image.format`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "invalid input: {}", self.message)
        } else {
            write!(f, "invalid input at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

#[derive(Clone, Copy)]
pub(super) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    pub(super) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    pub(super) fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }

    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, key) => {
                let mut s = parent.render();
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(key);
                s
            }
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> InputError {
        InputError {
            path: self.render(),
            message: message.into(),
        }
    }
}

pub(super) fn expected(path: &Path, what: &str, found: &Doc) -> InputError {
    path.error(format!("expected {what}, got {}", found.kind()))
}
