//! The shape table the JavaScript SDK deserialises responses with (generated into
//! `schema_gen.rs` from the installed `@aws-sdk/client-bedrock-runtime`), and lookups in it.

pub(crate) use crate::schema_gen::*;
pub(crate) use crate::shape::{Shape, ShapeId, TimestampFormat};

pub(crate) fn shape(id: ShapeId) -> &'static Shape {
    // Ids come from the generated table itself, so they are always in range; fall back to
    // Document (pass the value through) rather than panic if that ever breaks.
    SHAPES.get(id as usize).unwrap_or(&Shape::Document)
}

/// The members of a structure or union shape.
pub(crate) fn members(id: ShapeId) -> &'static [(&'static str, ShapeId)] {
    match shape(id) {
        Shape::Struct(_, m) | Shape::Union(_, m) => m,
        _ => &[],
    }
}

/// The member `name` of structure/union `id`.
pub(crate) fn member(id: ShapeId, name: &str) -> Option<ShapeId> {
    members(id)
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

/// A modelled error by name: (`$fault`, shape).
pub(crate) fn modelled_error(name: &str) -> Option<(&'static str, ShapeId)> {
    ERRORS
        .iter()
        .find(|(n, _, _, _)| *n == name)
        .map(|(_, fault, _, id)| (*fault, *id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_table_is_consistent() {
        for (i, s) in SHAPES.iter().enumerate() {
            let refs: Vec<ShapeId> = match s {
                Shape::Struct(_, m) | Shape::Union(_, m) => m.iter().map(|(_, id)| *id).collect(),
                Shape::List(id) | Shape::Map(id) => vec![*id],
                _ => vec![],
            };
            for r in refs {
                assert!((r as usize) < SHAPES.len(), "shape {i} refers to {r}");
            }
        }
        assert!(matches!(
            shape(CONVERSE_RESPONSE),
            Shape::Struct("ConverseResponse", _)
        ));
        assert!(matches!(
            shape(CONVERSE_STREAM_OUTPUT),
            Shape::Union("ConverseStreamOutput", _)
        ));
        assert_eq!(
            modelled_error("ThrottlingException").map(|e| e.0),
            Some("client")
        );
        assert_eq!(
            modelled_error("ServiceUnavailableException").map(|e| e.0),
            Some("server")
        );
    }
}
