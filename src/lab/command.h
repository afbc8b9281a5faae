// Running the system tools the lab is built with (ip, tc, nft, wg,
// wireguard-go, sysctl) and the long-lived processes it starts.
//
// Every external command goes through run_command(), so a failure always
// reads "COMMAND LINE: exit N: STDERR" and nothing is run through a shell
// (names from a topology file are arguments, never shell text).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace halink::lab {

using Argv = std::vector<std::string>;

// "ip link add a type veth" (arguments with spaces quoted), for messages.
std::string describe(const Argv& argv);

// Runs argv to completion; stdout on success, an Error naming the command,
// its exit status and its stderr otherwise. `input` is written to stdin.
Result<std::string> run_command(const Argv& argv, std::string_view input = {});

// argv run inside network namespace `ns` (`ip netns exec NS ...`; ip execs
// the program, so the process keeps the PID spawn_process() returns).
Argv in_namespace(const std::string& ns, Argv argv);

// A process the lab started and must stop. start_ticks (field 22 of
// /proc/PID/stat) tells the same process from a later one reusing the PID.
struct ProcessId {
  pid_t pid = 0;
  uint64_t start_ticks = 0;
};

// Starts argv in the background with stdout and stderr appended to
// log_path (stdout to stdout_path instead when given, for a program whose
// output is data), in its own process group: a Ctrl-C at the terminal
// reaches the lab, which stops its processes in order, not every child at once.
Result<ProcessId> spawn_process(const Argv& argv, const std::string& log_path, const std::string& stdout_path = "");

// Whether the process is still the one started (not exited, not reaped
// and replaced). Reaps it when it is our child and has exited.
bool process_alive(const ProcessId& process);

// SIGTERM, up to `grace_ms` for it to exit, then SIGKILL. A process that is
// gone or was replaced is left alone.
void stop_process(const ProcessId& process, int grace_ms = 1000);

// SIGKILL at once (a crash, for failure injection).
void kill_process(const ProcessId& process);

}  // namespace halink::lab
