package io.sibus.operator.reconciler;

import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.function.Consumer;

/**
 * The test API server answers JOSDK's permission check (a SelfSubjectRulesReview) that it does not
 * implement (STACK.md).
 */
public class TestServerSetup implements Consumer<KubernetesServer> {
  @Override
  public void accept(KubernetesServer server) {
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
                + "\"status\":{\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
                + "\"resources\":[\"*\"]}],\"nonResourceRules\":[],\"incomplete\":false}}")
        .always();
  }
}
