#include "lab/state.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace halink::lab {

const LabProcess* LabState::find_process(const std::string& role, const std::string& name) const {
  for (const LabProcess& p : processes)
    if (p.role == role && p.name == name) return &p;
  return nullptr;
}

LabProcess* LabState::find_process(const std::string& role, const std::string& name) {
  for (LabProcess& p : processes)
    if (p.role == role && p.name == name) return &p;
  return nullptr;
}

void LabState::remove_process(const std::string& role, const std::string& name) {
  std::erase_if(processes, [&](const LabProcess& p) { return p.role == role && p.name == name; });
}

std::string lab_directory(const std::string& lab) { return std::string(lab_run_root) + "/" + lab; }
std::string state_file_path(const std::string& lab) { return lab_directory(lab) + "/state.json"; }

Status save_state(const LabState& state) {
  nlohmann::json processes = nlohmann::json::array();
  for (const LabProcess& p : state.processes)
    processes.push_back({{"role", p.role},
                         {"node", p.node},
                         {"name", p.name},
                         {"namespace", p.namespace_name},
                         {"pid", p.id.pid},
                         {"start_ticks", p.id.start_ticks}});
  nlohmann::json j{{"lab", state.lab},
                   {"topology_file", state.topology_file},
                   {"namespaces", state.namespaces},
                   {"processes", processes},
                   {"wireguard_instances", state.wireguard_instances}};
  std::error_code ec;
  std::filesystem::create_directories(lab_directory(state.lab), ec);
  if (ec) return Error{"cannot create " + lab_directory(state.lab) + ": " + ec.message()};
  // Write and rename: a reader never sees half a file.
  std::string path = state_file_path(state.lab);
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) return Error{"cannot write " + temporary + ": " + std::strerror(errno)};
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return Error{"cannot rename " + temporary + ": " + std::strerror(errno)};
  return Status::success();
}

Result<LabState> load_state(const std::string& lab) {
  std::string path = state_file_path(lab);
  std::ifstream in(path);
  if (!in) return Error{"no lab named " + lab + " is running (" + path + " not found)"};
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{path + ": not a lab state file"};
  LabState state;
  state.lab = j.value("lab", lab);
  state.topology_file = j.value("topology_file", "");
  state.namespaces = j.value("namespaces", std::vector<std::string>{});
  state.wireguard_instances = j.value("wireguard_instances", std::vector<std::string>{});
  for (const nlohmann::json& p : j.value("processes", nlohmann::json::array())) {
    LabProcess process;
    process.role = p.value("role", "");
    process.node = p.value("node", "");
    process.name = p.value("name", "");
    process.namespace_name = p.value("namespace", "");
    process.id.pid = p.value("pid", 0);
    process.id.start_ticks = p.value("start_ticks", uint64_t{0});
    state.processes.push_back(process);
  }
  return state;
}

std::vector<std::string> recorded_labs() {
  std::vector<std::string> labs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(lab_run_root, ec))
    if (std::filesystem::exists(entry.path() / "state.json")) labs.push_back(entry.path().filename().string());
  return labs;
}

}  // namespace halink::lab
