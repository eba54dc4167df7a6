package io.sibus.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a kubelet gives a container besides its image: the environment (values, {@code $(VAR)}
 * references, field, Secret and ConfigMap references, {@code envFrom}) and the ConfigMap and Secret
 * volumes, written as files under the pod's directory. A process here shares the host's file
 * system, so a path under a mount path in an environment value is translated to the host directory
 * of that volume.
 */
final class PodEnvironment {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final Pattern LABEL_FIELD =
      Pattern.compile("metadata\\.(labels|annotations)\\['([^']+)'\\]");

  private final KubernetesClient client;
  private final Pod pod;
  private final Path podDirectory;

  PodEnvironment(KubernetesClient client, Pod pod, Path podDirectory) {
    this.client = client;
    this.pod = pod;
    this.podDirectory = podDirectory;
  }

  /** The container's environment, resolved; fails when a referenced Secret or key is missing. */
  Map<String, String> environment(Container container, String podIp) {
    Map<String, String> env = new LinkedHashMap<>();
    if (container.getEnvFrom() != null) {
      for (EnvFromSource from : container.getEnvFrom()) {
        String prefix = from.getPrefix() == null ? "" : from.getPrefix();
        if (from.getConfigMapRef() != null) {
          configMapData(from.getConfigMapRef().getName()).forEach((k, v) -> env.put(prefix + k, v));
        }
        if (from.getSecretRef() != null) {
          secretData(from.getSecretRef().getName()).forEach((k, v) -> env.put(prefix + k, v));
        }
      }
    }
    if (container.getEnv() != null) {
      for (EnvVar variable : container.getEnv()) {
        String value =
            variable.getValueFrom() != null
                ? valueFrom(variable.getValueFrom(), podIp)
                : expand(variable.getValue() == null ? "" : variable.getValue(), env);
        env.put(variable.getName(), translatePaths(container, value));
      }
    }
    return env;
  }

  /** Writes (or refreshes) the pod's ConfigMap and Secret volumes; kubelets refresh them too. */
  void writeVolumes() {
    if (pod.getSpec().getVolumes() == null) {
      return;
    }
    for (Volume volume : pod.getSpec().getVolumes()) {
      Map<String, String> files = null;
      if (volume.getConfigMap() != null) {
        files = configMapData(volume.getConfigMap().getName());
      } else if (volume.getSecret() != null) {
        files = secretData(volume.getSecret().getSecretName());
      }
      if (files != null) {
        writeFiles(volumeDirectory(volume.getName()), files);
      }
    }
  }

  /** The host directory standing for a volume of this pod. */
  Path volumeDirectory(String volume) {
    return podDirectory.resolve("volumes").resolve(volume);
  }

  /** A container path translated to the host, when it lies under one of the container's mounts. */
  String translatePaths(Container container, String value) {
    if (container.getVolumeMounts() == null) {
      return value;
    }
    for (VolumeMount mount : container.getVolumeMounts()) {
      String mountPath = mount.getMountPath();
      if (value.equals(mountPath) || value.startsWith(mountPath + "/")) {
        return volumeDirectory(mount.getName()) + value.substring(mountPath.length());
      }
    }
    return value;
  }

  private String valueFrom(EnvVarSource source, String podIp) {
    if (source.getFieldRef() != null) {
      return field(source.getFieldRef().getFieldPath(), podIp);
    }
    if (source.getSecretKeyRef() != null) {
      return required(
          secretData(source.getSecretKeyRef().getName()),
          source.getSecretKeyRef().getKey(),
          "Secret " + source.getSecretKeyRef().getName(),
          Boolean.TRUE.equals(source.getSecretKeyRef().getOptional()));
    }
    if (source.getConfigMapKeyRef() != null) {
      return required(
          configMapData(source.getConfigMapKeyRef().getName()),
          source.getConfigMapKeyRef().getKey(),
          "ConfigMap " + source.getConfigMapKeyRef().getName(),
          Boolean.TRUE.equals(source.getConfigMapKeyRef().getOptional()));
    }
    throw new PodStartException(
        "CreateContainerConfigError", "unsupported env source (resourceFieldRef)");
  }

  private String field(String path, String podIp) {
    switch (path) {
      case "metadata.name":
        return pod.getMetadata().getName();
      case "metadata.namespace":
        return pod.getMetadata().getNamespace();
      case "metadata.uid":
        return pod.getMetadata().getUid();
      case "status.podIP":
      case "status.hostIP":
        return podIp;
      case "spec.nodeName":
        return LocalCluster.NODE;
      case "spec.serviceAccountName":
        return pod.getSpec().getServiceAccountName();
      default:
        Matcher m = LABEL_FIELD.matcher(path);
        if (m.matches()) {
          Map<String, String> map =
              m.group(1).equals("labels")
                  ? pod.getMetadata().getLabels()
                  : pod.getMetadata().getAnnotations();
          return map == null ? "" : map.getOrDefault(m.group(2), "");
        }
        throw new PodStartException("CreateContainerConfigError", "unsupported fieldRef " + path);
    }
  }

  private static String expand(String value, Map<String, String> env) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String required(
      Map<String, String> data, String key, String source, boolean optional) {
    String value = data.get(key);
    if (value == null && !optional) {
      throw new PodStartException(
          "CreateContainerConfigError", "couldn't find key " + key + " in " + source);
    }
    return value == null ? "" : value;
  }

  private Map<String, String> configMapData(String name) {
    ConfigMap map =
        client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (map == null) {
      throw new PodStartException(
          "CreateContainerConfigError", "configmap \"" + name + "\" not found");
    }
    return map.getData() == null ? Map.of() : map.getData();
  }

  private Map<String, String> secretData(String name) {
    Secret secret =
        client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (secret == null) {
      throw new PodStartException(
          "CreateContainerConfigError", "secret \"" + name + "\" not found");
    }
    Map<String, String> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    // An API server folds stringData into data on write; the test server keeps it as sent.
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }

  private static void writeFiles(Path directory, Map<String, String> files) {
    try {
      Files.createDirectories(directory);
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path target = directory.resolve(file.getKey());
        byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
        if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), content)) {
          continue;
        }
        // Replaced atomically, as a kubelet swaps its ..data link: readers never see half a file.
        Path temporary = directory.resolve("." + file.getKey() + ".tmp");
        Files.write(temporary, content);
        Files.move(
            temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
