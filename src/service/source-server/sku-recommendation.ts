/**
 * The wizard's SKU page: `sizing/`'s `recommendSku` over a folder of performance data at the chosen
 * percentile and scaling factor: the recommendation and the cheaper (or smaller) SKUs ruled out, each
 * with its reasoning per dimension; without the per-window series, the per-file requirements and the
 * candidates after the recommendation (the page shows none of them).
 */
import { recommendSku, type SkuRecommendation } from '../../sizing/index.js';

export type WizardSkuRecommendation = Omit<
  SkuRecommendation,
  'series' | 'requirements' | 'candidates'
> & {
  readonly requirements: Omit<SkuRecommendation['requirements'], 'perFile'>;
};

export async function recommendFromFolder(
  folder: string,
  options: { readonly percentile: number; readonly scalingFactorPercent: number },
): Promise<WizardSkuRecommendation> {
  const full = await recommendSku(folder, {
    percentile: options.percentile,
    scalingFactor: options.scalingFactorPercent,
  });
  // Left out: the charts' series, every candidate tested, and each file's requirements.
  const needs = Object.fromEntries(
    Object.entries(full.requirements).filter(([key]) => key !== 'perFile'),
  ) as WizardSkuRecommendation['requirements'];
  return {
    generatedAt: full.generatedAt,
    perfData: full.perfData,
    method: full.method,
    catalog: full.catalog,
    prices: full.prices,
    basis: full.basis,
    requirements: needs,
    confidence: full.confidence,
    status: full.status,
    summary: full.summary,
    recommendation: full.recommendation,
    ruledOut: full.ruledOut,
    notices: full.notices,
  };
}
