#!/usr/bin/env bash
# Runs the libvireo client test (a C program) against a private daemon.
. "$(dirname "$0")/lib.sh"
need_images
start_daemon
IMAGES=$IMAGES "$VIREO_BUILD/tests/test_libvireo_domain"
