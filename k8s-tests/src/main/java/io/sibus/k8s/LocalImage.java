package io.sibus.k8s;

/** How an image runs on this machine: the stand-in a kubelet's container runtime would pull. */
interface LocalImage {
  LocalContainer start(ContainerLaunch launch);
}
