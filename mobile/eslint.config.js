// Expo's recommended rules (React, hooks, imports) for the app and its tests.
const { defineConfig } = require("eslint/config");
const expoConfig = require("eslint-config-expo/flat");

module.exports = defineConfig([expoConfig, { ignores: ["dist/*", ".expo/*", "node_modules/*"] }]);
