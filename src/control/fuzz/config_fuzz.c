/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_fuzz.c - libFuzzer target for the config loaders: the input is parsed as each of
 * daos_server.yml, daos_agent.yml and daos_control.yml, and freed when it loads. Errors are
 * written to a buffer, so a fuzzing run does not flood the log. The seed corpus (corpus/)
 * holds valid configs of each kind and broken ones (syntax, types, rules, aliases).
 */
#define D_LOGFAC DD_FAC(config)

#include <stdint.h>

#include "control/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_server *srv;
	struct config_agent *agent;
	struct config_control *ctl;
	char err[512];

	if (config_server_parse("fuzz.yml", data, size, &srv, err, sizeof(err)) == 0)
		config_server_free(srv);
	if (config_agent_parse("fuzz.yml", data, size, &agent, err, sizeof(err)) == 0)
		config_agent_free(agent);
	if (config_control_parse("fuzz.yml", data, size, &ctl, err, sizeof(err)) == 0)
		config_control_free(ctl);
	return 0;
}
