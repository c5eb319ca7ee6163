//! The kinds of shape in the JavaScript SDK's schema, as far as (de)serialisation cares:
//! the types `schema_gen.rs` is generated in, apart from the lookups (`schema.rs`) so that
//! neither file imports the other.

/// Index into `SHAPES`.
pub(crate) type ShapeId = u16;

/// How a timestamp is spelled on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimestampFormat {
    EpochSeconds,
    DateTime,
    HttpDate,
}

/// One shape, as far as deserialisation cares.
#[derive(Debug)]
pub(crate) enum Shape {
    String,
    Number,
    Bool,
    Blob,
    Document,
    BigInt,
    BigDecimal,
    Timestamp(TimestampFormat),
    /// A string with a JSON media type (the JS SDK wraps it in a `LazyJsonString`).
    JsonString,
    /// Name and members (wire name = JS name: Bedrock uses no `jsonName`), in schema order.
    Struct(&'static str, &'static [(&'static str, ShapeId)]),
    #[allow(dead_code)] // the name only shows in Debug output
    Union(&'static str, &'static [(&'static str, ShapeId)]),
    List(ShapeId),
    Map(ShapeId),
}
