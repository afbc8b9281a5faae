// `halink probe send` and `halink probe receive`: the lab's traffic probe.
#pragma once

#include <CLI/CLI.hpp>

void add_probe_commands(CLI::App& app, int& exit_code);
