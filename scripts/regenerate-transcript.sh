#!/usr/bin/env bash
# Regenerates Examples/Transcripts/demo-brief-reader.md: a real quick demo run (real LlamaFactory training and
# evaluation on CPU, a few minutes) driven by a scripted model that knows only what its prompts show
# (Tests/CLITests/BriefDrivenRunTests.swift), written out message by message.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/Examples/Transcripts/demo-brief-reader.md"
echo "== building the tests =="
swift build --build-tests
echo "== running the brief-driven demo run (a few minutes) =="
AUTOTRAINESS_TRANSCRIPT_OUT="$out" swift test --skip-build --filter aModelThatKnowsOnlyThePromptsDrivesTheDemoTaskToTheEnd
echo "== wrote $out =="
