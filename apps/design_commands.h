// `halink check`, `halink sim` and `halink demo`: designs proven before deployment.
#pragma once

#include <CLI/CLI.hpp>

void add_design_commands(CLI::App& app, int& exit_code);
