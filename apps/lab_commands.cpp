#include "lab_commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fstream>

#include "config/loader.h"
#include "config/scenario.h"
#include "design/timeline.h"
#include "design/timeline_svg.h"
#include "lab/convergence.h"
#include "lab/interrupt.h"
#include "lab/lab.h"
#include "lab/plan.h"
#include "lab/scenario_run.h"

namespace {

using namespace halink;

// `lab down` takes a topology file or a lab's name.
std::string lab_name_of(const std::string& file_or_name) {
  if (std::filesystem::exists(file_or_name)) {
    if (auto topology = config::load_topology(file_or_name))
      if (auto plan = lab::plan_lab(*topology)) return plan->lab;
  }
  return file_or_name;
}

int lab_up(const std::string& file, const lab::LabOptions& options, bool wait) {
  lab::install_interrupt_handler();
  auto built = lab::Lab::up(file, options);
  if (!built) {
    std::fprintf(stderr, "halink lab up: %s\n", built.message().c_str());
    return 1;
  }
  lab::Lab& running = **built;
  std::cout << "lab " << running.name() << ": " << running.plan().namespaces.size() << " namespaces, "
            << running.plan().tunnels.size() << " WireGuard tunnels, " << running.plan().daemons.size()
            << " routers; state and logs in " << running.directory() << "\n";
  if (!wait) return 0;
  auto converged = lab::wait_converged(running, {});
  if (!converged) {
    std::fprintf(stderr, "halink lab up: %s\n", converged.message().c_str());
    if (lab::interrupted()) {
      (void)running.teardown();
      std::fprintf(stderr, "halink lab up: interrupted; lab removed\n");
    }
    return 1;
  }
  std::cout << "every session Established after " << converged->sessions_up_after.to_string()
            << ", routes stable after " << converged->took.to_string() << "\n";
  for (const lab::DaemonPlan& d : running.plan().daemons)
    std::cout << "  " << d.router << ": halink -s " << running.control_socket(d.router) << " show neighbors\n";
  return 0;
}

struct RunArgs {
  std::string file;
  std::string scenario;
  std::string results;
  std::string svg;
  std::string halinkd;
  uint32_t flows = 64;
  uint32_t rate = 100;
  bool keep = false;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

int lab_run(const RunArgs& args) {
  lab::install_interrupt_handler();
  auto topology = config::load_topology(args.file);
  if (!topology) {
    std::fprintf(stderr, "%s\n", topology.message().c_str());
    return 2;
  }
  auto scenario = config::load_scenario(args.scenario, *topology);
  if (!scenario) {
    std::fprintf(stderr, "%s\n", scenario.message().c_str());
    return 2;
  }
  lab::LabOptions options;
  options.halinkd_path = args.halinkd;
  auto built = lab::Lab::up(args.file, options);
  if (!built) {
    std::fprintf(stderr, "halink lab run: %s\n", built.message().c_str());
    return 1;
  }
  lab::Lab& running = **built;
  std::cout << "lab " << running.name() << " up; scenario " << scenario->name << " (" << scenario->steps.size()
            << " steps), " << args.flows << " flows x " << args.rate << " packets/s each way\n";
  lab::LabRunOptions run_options;
  run_options.flows = args.flows;
  run_options.rate = args.rate;
  auto run = lab::run_lab_scenario(running, *scenario, run_options);
  std::string directory = running.directory();
  if (!args.keep || !run) {
    if (auto s = running.teardown(); !s) std::fprintf(stderr, "halink lab run: removing the lab: %s\n", s.message().c_str());
  }
  if (!run) {
    std::fprintf(stderr, "halink lab run: %s\n(logs in %s)\n", run.message().c_str(), directory.c_str());
    return 1;
  }
  std::cout << "cold start: every session Established after "
            << run->results["cold_start"].value("sessions_established_s", 0.0) << " s\n\n";
  std::cout << design::render_summary_table(design::summarize(run->timeline));
  std::string results_path = args.results.empty() ? directory + "/results.json" : args.results;
  if (!write_file(results_path, run->results.dump(2) + "\n")) {
    std::fprintf(stderr, "halink lab run: cannot write %s\n", results_path.c_str());
    return 2;
  }
  std::cout << "\nresults in " << results_path << "\n";
  if (!args.svg.empty()) {
    if (!write_file(args.svg, design::render_timeline_svg(run->timeline))) {
      std::fprintf(stderr, "halink lab run: cannot write %s\n", args.svg.c_str());
      return 2;
    }
    std::cout << "timeline drawn in " << args.svg << "\n";
  }
  if (args.keep) std::cout << "lab kept running: halink lab down " << args.file << "\n";
  return 0;
}

}  // namespace

void add_lab_commands(CLI::App& app, int& exit_code) {
  auto* lab_command = app.add_subcommand("lab", "build a topology on real processes in network namespaces (root)");
  lab_command->require_subcommand(1);

  struct UpArgs {
    std::string file;
    std::string halinkd;
    bool no_wait = false;
  };
  auto up_args = std::make_shared<UpArgs>();
  auto* up = lab_command->add_subcommand("up", "build the lab and start halinkd on every router; it keeps running");
  up->add_option("file", up_args->file, "topology file")->required()->check(CLI::ExistingFile);
  up->add_option("--halinkd", up_args->halinkd, "halinkd binary (default: next to halink)");
  up->add_flag("--no-wait", up_args->no_wait, "do not wait for every session to be Established");
  up->callback([up_args, &exit_code] {
    lab::LabOptions options;
    options.halinkd_path = up_args->halinkd;
    exit_code = lab_up(up_args->file, options, !up_args->no_wait);
  });

  auto run_args = std::make_shared<RunArgs>();
  auto* run = lab_command->add_subcommand("run", "build the lab, run a scenario with probe traffic both ways, remove it");
  run->add_option("file", run_args->file, "topology file")->required()->check(CLI::ExistingFile);
  run->add_option("--scenario", run_args->scenario, "scenario file (waits, failures, repairs)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--results", run_args->results, "JSON results (default: the lab's folder, results.json)");
  run->add_option("--svg", run_args->svg, "draw the timeline (outages, tunnel shares, steps) as SVG");
  run->add_option("--flows", run_args->flows, "probe flows per direction")->capture_default_str();
  run->add_option("--rate", run_args->rate, "probe packets per second per flow")->capture_default_str();
  run->add_option("--halinkd", run_args->halinkd, "halinkd binary (default: next to halink)");
  run->add_flag("--keep", run_args->keep, "leave the lab running afterwards");
  run->callback([run_args, &exit_code] { exit_code = lab_run(*run_args); });

  auto down_target = std::make_shared<std::string>();
  auto* down = lab_command->add_subcommand("down", "remove a lab: its processes (by PID), namespaces and links");
  down->add_option("file", *down_target, "topology file or lab name")->required();
  down->callback([down_target, &exit_code] {
    std::string name = lab_name_of(*down_target);
    if (auto s = lab::Lab::down(name); !s) {
      std::fprintf(stderr, "halink lab down: %s\n", s.message().c_str());
      exit_code = 1;
      return;
    }
    std::cout << "lab " << name << " removed\n";
  });
}
