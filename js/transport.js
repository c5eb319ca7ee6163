'use strict';
// Which transport carries a model's Converse calls, and the native client behind it.
//
// The native transport (the Rust aws-sdk-bedrockruntime client, off the event loop) is
// the default. The JavaScript SDK client carries the calls instead when the caller
// passed a client, when @aws-sdk/client-bedrock-runtime has been replaced by a test
// double (a jest.mock factory or automock, aws-sdk-client-mock, any stubbed send) — so
// callers' tests keep steering the answers — when the caller forces it with
// `transport: 'js-sdk'`, or when clientConfig holds something the native client cannot
// honour exactly (said once in a debug log: NODE_DEBUG=bedrock-model-multiplexer).
//
// This module is the face the rest of js/ requires; the parts live in js/transport/.

const { chooseTransport, jsSdkReplaced } = require('./transport/choice');
const { nativeTransportFor, holdNativeTransport, prepareNativeTransport, nativeCallId, cancelNative, sendNative, keepNativeAnswerTimes, nativeAnswerTime } = require('./transport/native');
const { OpenStreams, sendNativeStream } = require('./transport/stream');

module.exports = {
  chooseTransport,
  nativeTransportFor,
  holdNativeTransport,
  OpenStreams,
  prepareNativeTransport,
  jsSdkReplaced,
  nativeCallId,
  cancelNative,
  sendNative,
  sendNativeStream,
  keepNativeAnswerTimes,
  nativeAnswerTime,
};
