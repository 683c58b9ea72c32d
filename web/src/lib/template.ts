/** The blank static-site template a new app starts from. */
export function blankSite(name: string): Record<string, string> {
  const title = name.replace(/[<>&"]/g, "");
  return {
    "index.html": `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <header>
    <h1>${title}</h1>
    <p class="tagline">A fresh start. Ask the assistant to build something here.</p>
  </header>
  <main id="app"></main>
  <script src="app.js"></script>
</body>
</html>
`,
    "style.css": `* { box-sizing: border-box; }

body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2328;
  background: #ffffff;
  line-height: 1.5;
}

header {
  padding: 4rem 2rem 2rem;
  text-align: center;
}

h1 {
  margin: 0 0 0.5rem;
  font-size: 2.5rem;
}

.tagline {
  color: #59636e;
}

main {
  max-width: 48rem;
  margin: 0 auto;
  padding: 1rem 2rem 4rem;
}
`,
    "app.js": `// Scripts for ${title.replace(/\*\//g, "")} go here.
document.getElementById("app").textContent = "";
`,
  };
}
