// The AWS SDK warns once per process on Node.js 20; tests run on the machine's Node.js.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
