package dev.shoal.mining.grpc;

import dev.shoal.mining.domain.AnalysisRequest;
import dev.shoal.mining.domain.Results;
import dev.shoal.mining.messaging.IssueMapper;
import dev.shoal.mining.service.AnalysisService;
import dev.shoal.mining.service.BadRequest;
import dev.shoal.mining.service.IssueService;
import dev.shoal.mining.service.NotFound;
import dev.shoal.mining.store.ResultRepository;
import dev.shoal.proto.mining.v1.Analysis;
import dev.shoal.proto.mining.v1.Cluster;
import dev.shoal.proto.mining.v1.GetAnalysisRequest;
import dev.shoal.proto.mining.v1.Issue;
import dev.shoal.proto.mining.v1.ListClustersRequest;
import dev.shoal.proto.mining.v1.ListClustersResponse;
import dev.shoal.proto.mining.v1.ListIssuesRequest;
import dev.shoal.proto.mining.v1.ListIssuesResponse;
import dev.shoal.proto.mining.v1.MapPoint;
import dev.shoal.proto.mining.v1.MiningService;
import dev.shoal.proto.mining.v1.StartAnalysisRequest;
import dev.shoal.proto.mining.v1.StreamMapRequest;
import dev.shoal.proto.mining.v1.TriageIssueRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.function.Supplier;

/** The console's gRPC API: the same operations as the REST resources. */
@GrpcService
public class MiningGrpcService implements MiningService {

    @Inject
    AnalysisService analyses;

    @Inject
    IssueService issues;

    @Inject
    ResultRepository results;

    @Override
    @Blocking
    public Uni<Analysis> startAnalysis(StartAnalysisRequest r) {
        return call(() -> toProto(analyses.start(new AnalysisRequest(r.getDatasetId(), r.getLabelSet(), r.getModelId(),
                r.getModelVersion(), r.getEmbeddingModelId(), r.getEmbeddingModelVersion(), r.getKindsList(), r.getFreshness()))));
    }

    @Override
    @Blocking
    public Uni<Analysis> getAnalysis(GetAnalysisRequest r) {
        return call(() -> toProto(analyses.get(r.getAnalysisId())));
    }

    @Override
    @Blocking
    public Uni<ListIssuesResponse> listIssues(ListIssuesRequest r) {
        return call(() -> {
            Results.Page<dev.shoal.mining.domain.Issue> page = issues.page(r.getAnalysisId(), r.getType(), r.getState(),
                    r.getPage(), r.getPageSize() == 0 ? null : r.getPageSize());
            ListIssuesResponse.Builder b = ListIssuesResponse.newBuilder().setTotal(page.total());
            page.items().forEach(i -> b.addIssues(IssueMapper.toProto(i)));
            return b.build();
        });
    }

    @Override
    @Blocking
    public Uni<Issue> triageIssue(TriageIssueRequest r) {
        return call(() -> IssueMapper.toProto(issues.triage(r.getIssueId(), r.getState(), emptyToNull(r.getNote()),
                emptyToNull(r.getCorrectedClass()), emptyToNull(r.getLabelerId()))));
    }

    @Override
    @Blocking
    public Uni<ListClustersResponse> listClusters(ListClustersRequest r) {
        return call(() -> {
            analyses.get(r.getAnalysisId());
            ListClustersResponse.Builder b = ListClustersResponse.newBuilder();
            for (Results.ClusterSummary c : results.clusters(r.getAnalysisId(), null)) {
                Cluster.Builder cb = Cluster.newBuilder().setAnalysisId(c.analysisId()).setClusterId(c.clusterId())
                        .setMethod(c.method()).setSize(c.size()).putAllClassMix(c.classMix()).setRank(c.rank());
                if (c.accuracy() != null) {
                    cb.setAccuracy(c.accuracy());
                }
                if (c.errorRate() != null) {
                    cb.setErrorRate(c.errorRate());
                }
                if (c.overallErrorRate() != null) {
                    cb.setOverallErrorRate(c.overallErrorRate());
                }
                if (c.lift() != null) {
                    cb.setLift(c.lift());
                }
                if (c.pValue() != null) {
                    cb.setPValue(c.pValue());
                }
                b.addClusters(cb);
            }
            return b.build();
        });
    }

    @Override
    @Blocking
    public Multi<MapPoint> streamMap(StreamMapRequest r) {
        return Multi.createFrom().emitter(em -> {
            try {
                analyses.get(r.getAnalysisId());
                results.streamMapPoints(r.getAnalysisId(), p -> {
                    MapPoint.Builder b = MapPoint.newBuilder().setFrameId(p.frameId()).setX(p.x()).setY(p.y());
                    if (p.label() != null) {
                        b.setLabel(p.label());
                    }
                    b.setClusterId(p.clusterId() == null ? -1 : p.clusterId());
                    em.emit(b.build());
                });
                em.complete();
            } catch (RuntimeException e) {
                em.fail(status(e));
            }
        });
    }

    private static <T> Uni<T> call(Supplier<T> body) {
        try {
            return Uni.createFrom().item(body.get());
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(status(e));
        }
    }

    private static Throwable status(RuntimeException e) {
        if (e instanceof BadRequest b) {
            return Status.INVALID_ARGUMENT.withDescription(b.field() + ": " + b.getMessage()).asRuntimeException();
        }
        if (e instanceof NotFound) {
            return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
    }

    static Analysis toProto(dev.shoal.mining.domain.Analysis a) {
        Analysis.Builder b = Analysis.newBuilder().setId(a.id()).setDatasetId(a.datasetId()).setLabelSet(a.labelSet())
                .setModelId(a.modelId()).setModelVersion(a.modelVersion()).setEmbeddingModelId(a.embeddingModelId())
                .setEmbeddingModelVersion(a.embeddingModelVersion()).addAllKinds(a.kinds()).setState(a.state())
                .setPercentDone(a.percentDone()).setFingerprint(a.fingerprint()).setReused(a.reused());
        if (a.error() != null) {
            b.setError(a.error());
        }
        if (a.data() != null) {
            dev.shoal.proto.mining.v1.DataProgress.Builder d = dev.shoal.proto.mining.v1.DataProgress.newBuilder()
                    .setFreshness(a.data().freshness()).putAllExpected(a.data().expected()).putAllSeen(a.data().seen())
                    .setPartial(a.data().partial());
            if (a.data().note() != null) {
                d.setNote(a.data().note());
            }
            b.setData(d);
        }
        return b.build();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
