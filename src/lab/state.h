// What a running lab created, kept on disk so that `halink lab down` (or a
// later run after a crash) removes exactly that: its namespaces, and the
// processes it started, by PID.
//
// The file is /run/halink-lab/LAB/state.json, rewritten after every
// namespace and process is created, so a failed or interrupted `up` leaves a
// record that covers everything it made.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "lab/command.h"

namespace halink::lab {

struct LabProcess {
  std::string role;       // "halinkd", "wireguard-go", "probe"
  std::string node;       // router or host name
  std::string name;       // the tunnel end's instance, the probe's direction, ...
  std::string namespace_name;
  ProcessId id;
};

struct LabState {
  std::string lab;
  std::string topology_file;  // absolute
  std::vector<std::string> namespaces;
  std::vector<LabProcess> processes;
  std::vector<std::string> wireguard_instances;  // their sockets are removed by `down`

  const LabProcess* find_process(const std::string& role, const std::string& name) const;
  LabProcess* find_process(const std::string& role, const std::string& name);
  void remove_process(const std::string& role, const std::string& name);
};

constexpr const char* lab_run_root = "/run/halink-lab";

std::string lab_directory(const std::string& lab);  // /run/halink-lab/LAB
std::string state_file_path(const std::string& lab);

Status save_state(const LabState& state);
Result<LabState> load_state(const std::string& lab);
// Labs with a state file (for `lab down` without a name and for tests).
std::vector<std::string> recorded_labs();

}  // namespace halink::lab
