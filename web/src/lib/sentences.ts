/**
 * Error codes the API gives, in words a vendor can act on: what went wrong, and what to do.
 * The one place the workspace turns a code into a sentence (git remotes and pushes, file
 * paths, how a run ended); a code not listed here shows the server's own message, which is
 * already a sentence. Where the server's message carries what only it knows (the model's
 * explanation of a refusal, the limit a run reached and how far it got), that message is the
 * problem and the fix is ours.
 */

export interface Sentence {
  /** What went wrong. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

const SENTENCES: Record<string, Sentence | ((message: string) => Sentence)> = {
  // ---- the git remote and pushes -------------------------------------------------------
  auth_refused: {
    problem: "The remote refused the token.",
    fix: "Check that the token is right, has not expired and may push to this repository (on GitHub: Contents, read and write), then save it again.",
  },
  non_fast_forward: {
    problem: "The remote branch has commits this app does not have, so the push would overwrite them.",
    fix: "Nothing was overwritten. Push to a new or empty branch instead, or remove those commits from the remote branch.",
  },
  remote_unreachable: {
    problem: "The remote could not be reached.",
    fix: "Check the URL (the repository must already exist) and the network. Pushes are retried by themselves; Retry push tries at once.",
  },
  push_timed_out: {
    problem: "The push took too long and was stopped.",
    fix: "It is retried by itself; Retry push tries at once.",
  },
  push_failed: {
    problem: "The remote did not accept the push.",
    fix: "Check the repository's settings (a protected branch or a push hook may refuse it), then Retry push.",
  },
  commit_failed: {
    problem: "The version could not be committed to the app's own repository.",
    fix: "It is retried by itself; if it keeps failing, tell whoever runs this server.",
  },
  commit_timed_out: {
    problem: "Committing the version took too long.",
    fix: "It is retried by itself; Retry push tries at once.",
  },
  invalid_remote: {
    problem: "That is not a git address this service can push to.",
    fix: "Use the repository's https:// address, e.g. https://github.com/you/shop.git (SSH addresses such as git@github.com:… are not supported).",
  },
  credentials_in_url: {
    problem: "The address contains a user name or password.",
    fix: "Remove them from the address and paste the token into the Token field instead.",
  },
  insecure_remote: {
    problem: "A token can only be sent over https://.",
    fix: "Use the repository's https:// address.",
  },
  local_remote_not_allowed: {
    problem: "This server does not push to folders on its own disk.",
    fix: "Use the https:// address of a hosted repository (GitHub, GitLab, …).",
  },
  invalid_branch: {
    problem: "That is not a valid branch name.",
    fix: "Use a plain name such as main or site (no spaces, no '..', not ending in '/').",
  },
  invalid_token_format: {
    problem: "The token must be one line without spaces.",
    fix: "Paste the token exactly as the git host showed it.",
  },
  no_remote: {
    problem: "This app has no remote to push to.",
    fix: "Connect a repository first.",
  },
  remote_not_found: {
    problem: "This app has no remote.",
    fix: "Connect a repository first.",
  },
  // ---- file paths ----------------------------------------------------------------------
  path_empty: { problem: "The file needs a name.", fix: "Type a name such as about.html." },
  path_control_char: {
    problem: "File names cannot contain control characters.",
    fix: "Use letters, digits, '-', '_' and '.'.",
  },
  path_backslash: { problem: "Folders are separated by '/', not '\\'.", fix: "Write it as css/site.css." },
  path_absolute: {
    problem: "File paths are relative to the app.",
    fix: "Leave out the leading '/', e.g. css/site.css.",
  },
  path_traversal: {
    problem: "A file path cannot leave the app's folder.",
    fix: "Remove the '..' parts of the path.",
  },
  path_is_folder: { problem: "That names a folder, not a file.", fix: "Add a file name after the last '/'." },
  path_whitespace: {
    problem: "File and folder names cannot start or end with spaces.",
    fix: "Remove the spaces around the names.",
  },
  path_too_long: { problem: "That path is too long.", fix: "Use shorter folder and file names." },
  path_reserved: { problem: "That path is reserved by appwright.", fix: "Choose another name." },
  file_too_large: { problem: "That file is too large.", fix: "Split it into smaller files." },
  file_exists: { problem: "A file with that name exists already.", fix: "Choose another name." },
  not_text: { problem: "Only text files can be edited here.", fix: "Give the file text content." },
  // ---- how a run ended -----------------------------------------------------------------
  model_refused: (message) => ({
    problem: message || "The model declined this request.",
    fix: "Rephrase the request (say what the change is for), or ask for something else. Edits made before it declined are kept.",
  }),
  budget_exceeded: (message) => ({
    problem: message || "This request reached a spending limit and stopped before the next model call.",
    fix: budgetFix(message),
  }),
  model_context_exceeded: {
    problem: "The conversation no longer fits the model's context window, even condensed.",
    fix: "Edits made so far are kept. Start a new conversation (New) and ask again; if even a first message does not fit, use a model with a larger window.",
  },
};

const RESTART = "in the server's environment and restart it";

function budgetFix(message: string): string {
  if (/price .* is unknown/.test(message)) {
    return `Set the model's price with APPWRIGHT_MODEL_PRICES, or remove APPWRIGHT_MAX_RUN_COST_USD, ${RESTART}.`;
  }
  const kept = "Edits made so far are kept; ask for the rest in a smaller request";
  if (message.includes("APPWRIGHT_MAX_RUN_COST_USD")) return `${kept}, or raise APPWRIGHT_MAX_RUN_COST_USD ${RESTART}.`;
  if (message.includes("APPWRIGHT_MAX_RUN_TOKENS")) return `${kept}, or raise APPWRIGHT_MAX_RUN_TOKENS ${RESTART}.`;
  return `${kept}, or raise APPWRIGHT_MAX_RUN_TOKENS / APPWRIGHT_MAX_RUN_COST_USD ${RESTART}.`;
}

/** The sentence for an error; unknown codes keep the server's message. */
export function describeError(error: { code: string; message?: string | null }): Sentence {
  const entry = SENTENCES[error.code];
  if (typeof entry === "function") return entry(error.message ?? "");
  return entry ?? { problem: error.message || "Something went wrong.", fix: "" };
}

/** The sentence as one line: problem, then what to do. */
export function errorInWords(error: { code: string; message?: string | null }): string {
  const { problem, fix } = describeError(error);
  return fix ? `${problem} ${fix}` : problem;
}
