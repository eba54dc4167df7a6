package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything needed to start one container of a pod here: its resolved environment, its pod IP (a
 * loopback address of its own), and the files a kubelet would provide.
 *
 * @param podDirectory the pod's directory (volumes, kubeconfig, logs)
 * @param dataDirectory kept across restarts and re-creations of a pod of the same name, as a
 *     persistent volume claim of a StatefulSet keeps its data
 * @param hostsFile the names of the cluster's Services, for the JVM's resolver
 * @param kubeconfig the API server, with the pod's namespace as default, as a service account token
 *     gives a pod in a cluster
 */
record ContainerLaunch(
    Pod pod,
    Container container,
    Map<String, String> environment,
    String podIp,
    Path podDirectory,
    Path dataDirectory,
    Path logFile,
    Path terminationMessageFile,
    Path hostsFile,
    Path kubeconfig) {}
