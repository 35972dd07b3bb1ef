#pragma once
// The exit codes of `srdd` (documented in README.md and docs/cli.md).
namespace srdd_cli {
constexpr int kExitOk = 0;
constexpr int kExitError = 1;          // the command line was fine, the work failed (srdd::Error: a bad file, ...)
constexpr int kExitUsage = 2;          // the command line itself is wrong: unknown option, missing or malformed value
constexpr int kExitInterrupted = 130;  // SIGINT (Ctrl-C), or SIGTERM for the commands that cancel cleanly: 128 + 2
}  // namespace srdd_cli
