# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Explorer un lot et les composantes de ses scores
#
# Ce carnet charge l'échantillon livré (`data/sample/`), prépare le lot une fois
# (normalisation des compétences, plongements, caractéristiques), classe les candidats avec
# la configuration par défaut, puis regarde **de quoi sont faits les scores** : la
# distribution des scores, la part de chaque composante, les postes sans bon candidat et
# l'explication complète d'un couple (ingénieur, poste).
#
# Le moteur propose, les conseillers décident : rien ici n'est une décision.
#
# Modèle : variable d'environnement `MATCHING_NOTEBOOK_MODEL` (par défaut, le modèle du
# moteur ; les tests utilisent l'encodeur rapide `hashing`).

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import atelier
from matching import COMPONENTS, SHORT_LABELS, coverage, exposure, render_account

batch = atelier.load_batch()
config, shortlists, prepared = batch.config, batch.shortlists, batch.prepared
print(f"Lot {batch.batch_id} — modèle : {batch.manifest['model']['name']}")
print(f"{len(prepared.profiles)} ingénieurs, {len(prepared.positions)} postes, {len(shortlists)} lignes de listes.")

# %% [markdown]
# ## Les listes courtes
# Une ligne par (poste, candidat retenu) : score, composantes, compétences, explication.

# %%
shortlists[["ministry", "position_id", "rank", "profile_id", "score", *COMPONENTS]].head(12)

# %% [markdown]
# ## Distribution des scores
# Le histogramme porte sur tous les couples éligibles (règles respectées), calculé pendant le
# classement ; le trait marque le score minimal pour entrer dans une liste.

# %%
hist = np.asarray(batch.manifest["scoring"]["score_histogram"])
edges = np.linspace(0, 1, len(hist) + 1)
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.bar(edges[:-1], hist, width=np.diff(edges), align="edge", color="#6a8caf")
ax.axvline(config.ranking.min_score, color="crimson", linestyle="--", label=f"score minimal {config.ranking.min_score:.2f}")
ax.set_xlabel("score")
ax.set_ylabel("couples éligibles")
ax.set_title("Scores de tous les couples éligibles")
ax.legend()
plt.show()

# %% [markdown]
# ## Ce qui fait les scores
# Contribution moyenne de chaque composante (valeur × poids appliqué) dans les lignes des
# listes, et distribution des valeurs de chaque composante (une composante peut être « sans
# objet » pour un couple : un poste sans compétence requise, une expérience inconnue).

# %%
scored = batch.contributions()
contrib = pd.DataFrame({SHORT_LABELS[c]: scored[f"contribution_{c}"] for c in COMPONENTS})
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
contrib.mean().sort_values().plot.barh(ax=axes[0], color="#4f7942")
axes[0].set_title("Contribution moyenne au score (lignes des listes)")
axes[0].set_xlabel("points de score")
axes[1].boxplot([scored[c].dropna() for c in COMPONENTS], showfliers=False)
axes[1].set_xticks(range(1, len(COMPONENTS) + 1), [SHORT_LABELS[c] for c in COMPONENTS], rotation=30, ha="right")
axes[1].set_title("Valeur des composantes (0 à 1)")
plt.tight_layout()
plt.show()
print("Part des lignes où la composante est sans objet :")
print(scored[list(COMPONENTS)].isna().mean().rename(SHORT_LABELS).round(2).to_string())

# %% [markdown]
# ## Un poste, ses candidats, composante par composante

# %%
counts = shortlists.groupby("position_id").size()
position_id = counts.sort_values(ascending=False).index[0] if len(counts) else prepared.positions["position_id"].iloc[0]
one = shortlists[shortlists["position_id"] == position_id]
print(f"Poste {position_id} : {one['position_title'].iloc[0] if len(one) else ''}")
if len(one):
    comp = scored[scored["position_id"] == position_id].sort_values("rank")
    stacked = pd.DataFrame({SHORT_LABELS[c]: comp[f"contribution_{c}"].to_numpy() for c in COMPONENTS})
    stacked.index = [f"{r}. {p}" for r, p in zip(comp["rank"], comp["profile_id"])]
    ax = stacked.iloc[::-1].plot.barh(stacked=True, figsize=(9, 0.4 * len(stacked) + 1.5), colormap="tab10")
    ax.set_xlabel("score (somme des contributions)")
    ax.set_title(f"Candidats du poste {position_id}")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## Couverture et exposition
# Postes avec au moins k candidats au-dessus du seuil, ingénieurs présents sur au moins une
# liste, et concentration des listes sur quelques ingénieurs.

# %%
k = config.ranking.top_k
cov = coverage(shortlists, k=k, positions=prepared.positions["position_id"], profiles=prepared.profiles["profile_id"])
exp_summary, exp_counts = exposure(shortlists, profiles=prepared.profiles["profile_id"])
pd.Series({**cov, **{f"exposition_{key}": v for key, v in exp_summary.items()}}).to_frame("valeur")

# %%
no_candidate = sorted(set(prepared.positions["position_id"]) - set(shortlists["position_id"]))
print(f"{len(no_candidate)} poste(s) sans candidat au-dessus du seuil, par ministère :")
print(prepared.positions.set_index("position_id").loc[no_candidate, "ministry"].value_counts().to_string())

# %% [markdown]
# ## L'explication complète d'un couple
# Ce que la loi (CRPA, art. R311-3-1-2) demande de pouvoir dire à la personne : contribution
# de l'algorithme, données utilisées, paramètres et poids appliqués, opérations effectuées.

# %%
if len(one):
    acc = batch.explain(one["profile_id"].iloc[0], position_id)
    print(render_account(acc, config))
