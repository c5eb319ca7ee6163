//! The errors Bedrock Runtime answers with: their names, HTTP status codes (as the
//! service's Smithy model declares them) and the `x-amzn-errortype` values the SDKs parse.

use serde::Serialize;

/// One error Bedrock (or the AWS front door in front of it) can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorKind {
    // Modelled errors of the Converse / ConverseStream operations.
    ThrottlingException,
    ServiceUnavailableException,
    ModelNotReadyException,
    ValidationException,
    AccessDeniedException,
    ResourceNotFoundException,
    InternalServerException,
    ModelTimeoutException,
    ModelErrorException,
    ServiceQuotaExceededException,
    // Errors of the shared AWS request-authentication layer (not in Bedrock's model; the
    // SDKs surface them as generic service errors named after the error type).
    UnrecognizedClientException,
    InvalidSignatureException,
    IncompleteSignatureException,
    MissingAuthenticationTokenException,
    UnknownOperationException,
}

/// The namespace suffix Bedrock's own errors carry in `x-amzn-errortype`.
const BEDROCK_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazon.bedrock/";
/// The namespace of errors raised by the AWS service framework (authentication, routing).
const CORAL_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazon.coral.service/";

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::ThrottlingException => "ThrottlingException",
            Self::ServiceUnavailableException => "ServiceUnavailableException",
            Self::ModelNotReadyException => "ModelNotReadyException",
            Self::ValidationException => "ValidationException",
            Self::AccessDeniedException => "AccessDeniedException",
            Self::ResourceNotFoundException => "ResourceNotFoundException",
            Self::InternalServerException => "InternalServerException",
            Self::ModelTimeoutException => "ModelTimeoutException",
            Self::ModelErrorException => "ModelErrorException",
            Self::ServiceQuotaExceededException => "ServiceQuotaExceededException",
            Self::UnrecognizedClientException => "UnrecognizedClientException",
            Self::InvalidSignatureException => "InvalidSignatureException",
            Self::IncompleteSignatureException => "IncompleteSignatureException",
            Self::MissingAuthenticationTokenException => "MissingAuthenticationTokenException",
            Self::UnknownOperationException => "UnknownOperationException",
        }
    }

    /// The HTTP status, from the `smithy.api#httpError` traits of the Bedrock Runtime model.
    pub fn status(self) -> u16 {
        match self {
            Self::ThrottlingException | Self::ModelNotReadyException => 429,
            Self::ServiceUnavailableException => 503,
            Self::ValidationException | Self::ServiceQuotaExceededException => 400,
            Self::AccessDeniedException => 403,
            Self::ResourceNotFoundException => 404,
            Self::InternalServerException => 500,
            Self::ModelTimeoutException => 408,
            Self::ModelErrorException => 424,
            Self::UnrecognizedClientException
            | Self::InvalidSignatureException
            | Self::MissingAuthenticationTokenException => 403,
            Self::IncompleteSignatureException => 400,
            Self::UnknownOperationException => 404,
        }
    }

    /// The `x-amzn-errortype` header value: `Name:namespace`, which both SDKs sanitise
    /// down to `Name` (everything from the first `:` is dropped).
    pub fn error_type_header(self) -> String {
        let namespace = match self {
            Self::UnrecognizedClientException
            | Self::InvalidSignatureException
            | Self::IncompleteSignatureException
            | Self::MissingAuthenticationTokenException
            | Self::UnknownOperationException => CORAL_NAMESPACE,
            _ => BEDROCK_NAMESPACE,
        };
        format!("{}:{namespace}", self.name())
    }

    /// The message used when a behaviour gives none, as close to Bedrock's own as known.
    pub fn default_message(self) -> &'static str {
        match self {
            Self::ThrottlingException => "Too many requests, please wait before trying again.",
            Self::ServiceUnavailableException => "Bedrock is unable to process your request.",
            Self::ModelNotReadyException => "Model is not ready to serve inference requests.",
            Self::ValidationException => {
                "Malformed input request, please reformat your input and try again."
            }
            Self::AccessDeniedException => {
                "You don't have access to the model with the specified model ID."
            }
            Self::ResourceNotFoundException => "The specified model could not be found.",
            Self::InternalServerException => {
                "The system encountered an unexpected error during processing. Try your request again."
            }
            Self::ModelTimeoutException => {
                "Model has timed out in processing the request. Try your request again."
            }
            Self::ModelErrorException => "The model returned an error while processing the request.",
            Self::ServiceQuotaExceededException => {
                "Your request exceeds the service quota for your account."
            }
            Self::UnrecognizedClientException => "The security token included in the request is invalid.",
            Self::InvalidSignatureException => {
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
            }
            Self::IncompleteSignatureException => "The request signature does not conform to AWS standards.",
            Self::MissingAuthenticationTokenException => "Missing Authentication Token",
            Self::UnknownOperationException => "Unknown operation.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_type_header_sanitises_to_the_name() {
        let header = ErrorKind::ThrottlingException.error_type_header();
        assert_eq!(
            header,
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
        );
        assert_eq!(header.split(':').next(), Some("ThrottlingException"));
    }
}
