package io.sibus.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A destination of a bus (a queue), localized on one of its engines. */
@Group(MessagingEngine.GROUP)
@Version(MessagingEngine.VERSION)
@ShortNames("dest")
@Categories("sibus")
@AdditionalPrinterColumn(
    name = "Bus",
    jsonPath = ".spec.bus",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Engine",
    jsonPath = ".spec.localizedOn",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Depth",
    jsonPath = ".status.depth",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Destination extends CustomResource<DestinationSpec, DestinationStatus>
    implements Namespaced {}
