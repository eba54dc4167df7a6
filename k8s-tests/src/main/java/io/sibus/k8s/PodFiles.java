package io.sibus.k8s;

import java.nio.file.Path;

/**
 * Where a pod's files live on this machine.
 *
 * @param podDirectory this pod (this uid): volumes, logs, termination messages
 * @param dataDirectory kept for every pod of the same namespace and name
 * @param hostsFile the namespace's Service names
 * @param kubeconfig the API server with the pod's namespace as default
 */
record PodFiles(Path podDirectory, Path dataDirectory, Path hostsFile, Path kubeconfig) {
  Path log(String container) {
    return podDirectory.resolve(container + ".log");
  }

  Path terminationMessage(String container) {
    return podDirectory.resolve(container + ".termination-log");
  }
}
