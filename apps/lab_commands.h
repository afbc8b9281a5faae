// `halink lab up | run | down`: designs on real processes in network
// namespaces (root).
#pragma once

#include <CLI/CLI.hpp>

void add_lab_commands(CLI::App& app, int& exit_code);
