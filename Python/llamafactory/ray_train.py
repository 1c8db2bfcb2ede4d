"""`llamafactory-cli train CONFIG` in LlamaFactory's own Ray mode (USE_RAY=1), as AutoTrainess launches it.

Usage: python ray_train.py CONFIG.yaml   (the config sets `ray_num_workers`; the environment sets USE_RAY=1 and,
optionally, AUTOTRAINESS_RAY_CPUS_PER_WORKER). Run as a Ray job, the driver joins the job's cluster (RAY_ADDRESS).

LlamaFactory 0.9.5 sizes its placement group by every device of the cluster instead of by `ray_num_workers`
(`get_placement_group(total_devices)`, with 10 CPUs per bundle and per worker): a CPU-only cluster can never place
it (the job waits forever) and a GPU cluster has all its GPUs reserved by one run (upstream issue
hiyouga/LlamaFactory#10348). Until the pinned release has the fix, this launcher gives the run one bundle per worker:
AUTOTRAINESS_RAY_CPUS_PER_WORKER CPUs (default 1) and, on an accelerator, one device. Everything else is LlamaFactory's
own Ray mode: rank 0 writes the adapter, checkpoints and trainer_log.jsonl into output_dir as a plain run does.
"""

import os
import sys

from llamafactory.extras.misc import get_device_name
from llamafactory.train import tuner

CPUS_PER_WORKER = float(os.environ.get("AUTOTRAINESS_RAY_CPUS_PER_WORKER", "1"))
_workers = {"count": 1}
_training_function = tuner._ray_training_function
_remote_config = tuner.get_ray_remote_config_for_worker
PLACEMENT_TIMEOUT = float(os.environ.get("AUTOTRAINESS_RAY_PLACEMENT_TIMEOUT", "300"))


def _ray_training_function(ray_args, config):
    import ray

    _workers["count"] = ray_args.ray_num_workers
    if not ray.is_initialized():
        ray.init(**(ray_args.ray_init_kwargs or {}))
    # LlamaFactory takes the device type from the driver's node; a driver placed on a node without a GPU (a CPU
    # head, or Ray hiding the GPUs of a driver that reserved none) would train a GPU cluster on CPUs. The cluster
    # decides instead: with GPUs in it, the workers take one each.
    if ray.cluster_resources().get("GPU", 0) > 0 and get_device_name() == "cpu":
        from llamafactory.train import trainer_utils

        tuner.get_device_name = trainer_utils.get_device_name = lambda: "gpu"
    return _training_function(ray_args, config)


def _placement_group(total_devices):
    import ray
    from ray.util.placement_group import placement_group, remove_placement_group

    bundle = {"CPU": CPUS_PER_WORKER}
    device = tuner.get_device_name().upper()
    if device != "CPU":
        bundle[device] = 1
    group = placement_group([dict(bundle) for _ in range(_workers["count"])], strategy="PACK")
    # Bounded: a group the cluster cannot hold would otherwise wait forever while the job shows RUNNING.
    if not group.wait(timeout_seconds=PLACEMENT_TIMEOUT):
        remove_placement_group(group)
        sys.exit(
            f"Ray could not place {_workers['count']} worker(s) of {bundle} within {PLACEMENT_TIMEOUT:.0f} s; "
            f"the cluster has {ray.cluster_resources()}. Ask for fewer workers or CPUs "
            "per worker (train_workers, cpus_per_worker), or add nodes."
        )
    return group, bundle


def _worker_config(**kwargs):
    config = _remote_config(**kwargs)
    config["num_cpus"] = CPUS_PER_WORKER
    return config


tuner._ray_training_function = _ray_training_function
tuner.get_placement_group = _placement_group
tuner.get_ray_remote_config_for_worker = _worker_config

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ray_train.py CONFIG.yaml")
    if get_device_name() == "cpu":
        # A Ray job's driver started without entrypoint resources gets RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES=1;
        # LlamaFactory copies the driver's environment into its workers, which on CPU then fail looking up their
        # (absent) accelerator ids with KeyError: 'CPU'.
        os.environ.pop("RAY_EXPERIMENTAL_NOSET_CUDA_VISIBLE_DEVICES", None)
    from llamafactory.cli import main

    sys.argv = ["llamafactory-cli", "train", sys.argv[1]]
    sys.exit(main())
