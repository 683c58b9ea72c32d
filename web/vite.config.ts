/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * @monaco-editor/loader ships a CDN path as its default. We hand it the bundled Monaco
 * (`loader.config({ monaco })`), so that path is never used; this strips it from the bundle
 * so no CDN address ships at all.
 */
function noCdn(): Plugin {
  return {
    name: "appwright-no-cdn",
    enforce: "pre",
    transform(code, id) {
      if (!id.includes("@monaco-editor/loader")) return null;
      return { code: code.replace(/https:\/\/cdn\.jsdelivr\.net\/npm\/[^'"]*/g, ""), map: null };
    },
  };
}

// `npm run dev` proxies the API to a local `appwright serve` (APPWRIGHT_DEV_SERVER).
const server = process.env.APPWRIGHT_DEV_SERVER ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), noCdn()],
  build: {
    outDir: fileURLToPath(new URL("../src/appwright/web_dist", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
  },
  worker: { format: "es" },
  server: {
    proxy: {
      "/api": { target: server, ws: true },
      "/preview": { target: server },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
