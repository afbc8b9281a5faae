// The lab's `daemon: bird | frr` routers (lab.h): configuration written
// from the router's section, processes started in its namespace in order
// and recorded in the state file like halinkd.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <thread>

#include "lab/daemon_config.h"
#include "lab/interrupt.h"
#include "lab/lab.h"
#include "lab/reference_daemon.h"

namespace halink::lab {

namespace fs = std::filesystem;

namespace {

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error{"cannot write " + path};
  ::chmod(path.c_str(), 0644);  // FRR reads it as the frr user
  return Status::success();
}

// Waits up to 10 s for `ready`, failing early when the process exits.
Status wait_for(const std::function<bool()>& ready, const ProcessId& process, const std::string& what,
                const std::string& log) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ready()) {
    if (!process_alive(process)) return Error{what + " exited at start; see " + log};
    if (std::chrono::steady_clock::now() > deadline) return Error{what + " did not answer within 10 s; see " + log};
    if (interrupted()) return Error{"interrupted"};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::success();
}

}  // namespace

// Before anything is built: every BIRD or FRR router's configuration can be
// generated and its binaries exist, so `lab up` fails with the reason and
// leaves nothing behind.
Status check_lab_daemons(const config::Topology& topology, const LabPlan& plan) {
  for (const DaemonPlan& d : plan.daemons) {
    if (d.kind == config::DaemonKind::halinkd) continue;
    const config::RouterConfig* router = topology.find_router(d.router);
    if (!router) continue;
    if (std::string missing = missing_reference_binaries(d.kind); !missing.empty())
      return Error{"router " + d.router + " (daemon: " + config::daemon_kind_name(d.kind) + "): not installed: " + missing};
    if (d.kind == config::DaemonKind::bird) {
      if (auto config = bird_config(*router); !config) return Error{config.message()};
    } else if (auto config = frr_config(*router); !config) {
      return Error{config.message()};
    }
  }
  return Status::success();
}

Status Lab::start_bird(const config::RouterConfig& router, const std::string& namespace_name) {
  std::string dir = daemon_directory(router.name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto config = bird_config(router);
  if (!config) return Error{config.message()};
  std::string file = dir + "/bird.conf", socket = dir + "/bird.ctl";
  if (auto s = write_text(file, *config); !s) return s;
  // Parse only: a syntax error reads as BIRD's own message, at `up`.
  Argv check = bird_argv(file, socket);
  check.push_back("-p");
  if (auto parsed = run_command(check); !parsed) return Error{"router " + router.name + ": " + parsed.message()};
  fs::remove(socket, ec);
  auto process = start_process("bird", router.name, router.name, namespace_name, bird_argv(file, socket));
  if (!process) return Error{process.message()};
  return wait_for([&] { return bool(run_command(birdc_argv(socket, "show status"))); }, *process,
                  "BIRD of " + router.name, log_file(router.name));
}

Status Lab::start_frr(const config::RouterConfig& router, const std::string& namespace_name) {
  std::string dir = daemon_directory(router.name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  // The daemons drop to the frr user: their folder must be writable to it.
  ::chmod(dir.c_str(), 01777);
  auto config = frr_config(router);
  if (!config) return Error{config.message()};
  for (auto [daemon, text] : {std::pair{"zebra", &config->zebra}, {"bfdd", &config->bfdd}, {"bgpd", &config->bgpd}})
    if (auto s = write_text(dir + "/" + daemon + ".conf", *text); !s) return s;
  // Dry runs (-C): FRR exits 0 even on a bad line, so its log is read for
  // the error codes it gives them ("[EC 100663304] No such command ...").
  for (const char* daemon : {"bfdd", "bgpd"}) {
    Argv check = frr_daemon_argv(daemon, dir);
    check.push_back("-C");
    auto checked = run_command(check);
    std::string output = checked ? *checked : checked.message();
    if (!checked || output.find("[EC ") != std::string::npos)
      return Error{"router " + router.name + ": FRR " + daemon + " refuses the generated " + dir + "/" + daemon +
                   ".conf:\n" + output};
  }
  for (const char* daemon : frr_daemons) {
    // Sockets a killed daemon left would read as "ready" at once.
    fs::remove(frr_vty_socket(daemon, dir), ec);
    if (std::string(daemon) == "zebra") fs::remove(dir + "/zserv.api", ec);
  }
  for (const char* daemon : frr_daemons) {
    std::string name = router.name + "-" + daemon;
    auto process = start_process(daemon, router.name, name, namespace_name, frr_daemon_argv(daemon, dir));
    if (!process) return Error{process.message()};
    std::string ready_file = std::string(daemon) == "zebra" ? dir + "/zserv.api" : frr_vty_socket(daemon, dir);
    if (auto s = wait_for([&] { return fs::exists(ready_file); }, *process, std::string(daemon) + " of " + router.name,
                          log_file(name));
        !s)
      return s;
  }
  return Status::success();
}

}  // namespace halink::lab
