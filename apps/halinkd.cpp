// halinkd: the routing daemon on one router. Argument parsing and wiring only.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "config/loader.h"
#include "runtime/daemon.h"
#include "runtime/log.h"

int main(int argc, char** argv) {
  CLI::App app{"halinkd: redundant site-to-site VPN routing daemon (BGP, BFD, ECMP, kernel FIB)"};
  halink::runtime::DaemonOptions options;
  bool check_only = false;
  app.add_option("-c,--config", options.config_path, "topology file, or a file holding one router's section")
      ->required();
  app.add_option("-n,--node", options.node, "which router of the topology file this is");
  app.add_option("--control", options.control_path, "control socket path (overrides the configuration)");
  app.add_flag("--check", check_only, "validate the configuration and exit (2 on error)");
  bool no_fib = false;
  app.add_flag("--no-fib", no_fib, "compute routes but do not install them in the kernel");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "error, warn, info or debug (default info)")
      ->check(CLI::IsMember({"error", "warn", "warning", "info", "debug"}));
  CLI11_PARSE(app, argc, argv);
  halink::runtime::set_log_level(*halink::runtime::parse_log_level(log_level));
  options.install_routes = !no_fib;

  if (check_only) {
    auto config = halink::config::load_router(options.config_path, options.node);
    if (!config) {
      std::fprintf(stderr, "%s\n", config.message().c_str());
      return 2;
    }
    std::printf("%s: router %s, AS %u, %zu neighbours: OK\n", options.config_path.c_str(), config->name.c_str(),
                config->local_as, config->neighbors.size());
    return 0;
  }
  auto daemon = halink::runtime::Daemon::create(options);
  if (!daemon) {
    std::fprintf(stderr, "halinkd: %s\n", daemon.message().c_str());
    return 1;
  }
  return (*daemon)->run();
}
