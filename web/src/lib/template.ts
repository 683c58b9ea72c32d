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

/** A one-page landing site: a hero, three features and a contact form that says thanks. */
export function landingPage(name: string): Record<string, string> {
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
  <header class="hero">
    <h1>${title}</h1>
    <p class="tagline">Say in one line what you offer and why it matters.</p>
    <a class="button" href="#contact">Get in touch</a>
  </header>
  <main>
    <section class="features">
      <article><h2>Fast</h2><p>Describe the first thing people love about you.</p></article>
      <article><h2>Friendly</h2><p>Describe the second.</p></article>
      <article><h2>Local</h2><p>And the third.</p></article>
    </section>
    <section id="contact" class="contact">
      <h2>Contact</h2>
      <form id="contact-form">
        <input name="email" type="email" placeholder="you@example.com" required>
        <button type="submit">Send</button>
      </form>
      <p id="thanks" hidden>Thanks, we will be in touch.</p>
    </section>
  </main>
  <footer>© ${title}</footer>
  <script src="app.js"></script>
</body>
</html>
`,
    "style.css": `* { box-sizing: border-box; }

body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2328;
  line-height: 1.5;
}

.hero {
  padding: 5rem 2rem 4rem;
  text-align: center;
  background: linear-gradient(135deg, #eef4ff, #fdf2f8);
}

.hero h1 { margin: 0 0 0.5rem; font-size: 2.75rem; }
.tagline { color: #59636e; margin: 0 0 1.5rem; }

.button, button {
  display: inline-block;
  padding: 0.6rem 1.2rem;
  border: none;
  border-radius: 6px;
  background: #2563eb;
  color: #fff;
  font: inherit;
  text-decoration: none;
  cursor: pointer;
}

main { max-width: 56rem; margin: 0 auto; padding: 2rem; }

.features {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
  gap: 1.5rem;
}

.features article { padding: 1.25rem; border: 1px solid #e5e7eb; border-radius: 8px; }
.features h2 { margin-top: 0; font-size: 1.2rem; }

.contact { margin-top: 3rem; text-align: center; }
.contact form { display: flex; gap: 0.5rem; justify-content: center; flex-wrap: wrap; }
.contact input { padding: 0.6rem; border: 1px solid #d0d7de; border-radius: 6px; min-width: 16rem; font: inherit; }

footer { padding: 2rem; text-align: center; color: #59636e; }
`,
    "app.js": `// The contact form only thanks the visitor: connect it to a service of yours to receive mail.
document.getElementById("contact-form").addEventListener("submit", (event) => {
  event.preventDefault();
  event.target.hidden = true;
  document.getElementById("thanks").hidden = false;
});
`,
  };
}

export interface Template {
  id: string;
  label: string;
  description: string;
  files: (name: string) => Record<string, string>;
}

/** The templates a new app can start from; the first is the default. */
export const TEMPLATES: readonly Template[] = [
  {
    id: "blank",
    label: "Blank site",
    description: "Starts as a blank static site: index.html, style.css and app.js.",
    files: blankSite,
  },
  {
    id: "landing",
    label: "Landing page",
    description: "A one-page site: a hero, three features and a contact form.",
    files: landingPage,
  },
];
