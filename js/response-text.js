'use strict';
// The assistant's text in a Converse output, as the refusal classifier reads it.
// JavaScript because it inspects the caller's (or the SDK's) response object as is.

const native = require('./native');

function extractResponseText(output) {
  const content = output.output?.message?.content;
  if (!content) return '';
  if (Array.isArray(content)) native.checkArrayLength('output.message.content', content.length);
  return content
    .filter((block) => block.text !== undefined)
    .map((block) => block.text)
    .join(' ');
}

module.exports = { extractResponseText };
